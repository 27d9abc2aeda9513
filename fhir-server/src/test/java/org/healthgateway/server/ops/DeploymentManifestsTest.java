package org.healthgateway.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthgateway.server.properties.GatewayProperties;
import org.healthgateway.server.smart.SmartProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.ssl.PemSslBundleProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The example deployment files ({@code docs/deploy/}) probe what the server serves and configure
 * what they mean: the probe paths are the ones Spring Boot adds on the main port (application.yml
 * enables them), on the container port the server listens on, over HTTPS when an SSL bundle is set;
 * the environment variables bind to the gateway's and Spring Boot's properties.
 */
class DeploymentManifestsTest {
  private static final Path DEPLOY = Path.of("..", "docs", "deploy");

  @Test
  void applicationYml_probesOnTheMainPort_enabled() throws IOException {
    Map<String, Object> health =
        map(map(map(applicationYml(), "management"), "endpoint"), "health");
    Map<String, Object> probes = map(health, "probes");
    assertThat(probes).containsEntry("enabled", true).containsEntry("add-additional-paths", true);
    assertThat(map(map(health, "group"), "readiness").get("include").toString()).contains("ledger");
  }

  @Test
  void deployment_probes_pathsTheServerServesOnItsPort() throws IOException {
    Map<String, Object> container = container();
    Map<String, String> env = env(container);
    Map<String, Object> port = list(container, "ports").get(0);
    assertThat(port.get("containerPort").toString()).isEqualTo(env.get("SERVER_PORT"));

    assertProbe(container, "startupProbe", "/livez", port.get("name"));
    assertProbe(container, "livenessProbe", "/livez", port.get("name"));
    assertProbe(container, "readinessProbe", "/readyz", port.get("name"));
  }

  @Test
  void deployment_environment_bindsToTheGatewayAndTlsProperties() throws IOException {
    Map<String, Object> container = container();
    Binder binder = binder(env(container));
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Map<String, Object> mount : list(container, "volumeMounts")) {
      mounts.put(mount.get("name").toString(), mount.get("mountPath").toString());
    }

    String bundle = binder.bind("server.ssl.bundle", String.class).get();
    PemSslBundleProperties pem =
        binder.bind("spring.ssl.bundle.pem." + bundle, PemSslBundleProperties.class).get();
    assertThat(pem.getKeystore().getCertificate()).startsWith("file:" + mounts.get("tls") + "/");
    assertThat(pem.getKeystore().getPrivateKey()).startsWith("file:" + mounts.get("tls") + "/");
    GatewayProperties gateway = binder.bind("gateway", GatewayProperties.class).get();
    assertThat(gateway.demo()).isFalse();
    assertThat(gateway.dataDir()).startsWithRaw(Path.of(mounts.get("data")));
    SmartProperties smart = binder.bind("gateway.smart", SmartProperties.class).get();
    assertThat(smart.issuer()).startsWith("https://");
    assertThat(smart.fhirBaseUrl()).isEqualTo(smart.issuer() + "/fhir");
  }

  @Test
  void deployment_volumesAndSecrets_matchTheClaimAndTheService() throws IOException {
    Map<String, Object> spec = podSpec();
    Map<String, Object> claim = manifest("persistentvolumeclaim.yaml");
    Map<String, Object> service = manifest("service.yaml");
    Map<String, Object> data = list(spec, "volumes").get(0);

    assertThat(map(data, "persistentVolumeClaim").get("claimName"))
        .isEqualTo(map(claim, "metadata").get("name"));
    assertThat(list(map(service, "spec"), "ports").get(0).get("targetPort"))
        .isEqualTo(list(container(), "ports").get(0).get("name"));
    Map<String, Object> password = env(container(), "GATEWAY_KEYSTORE_PASSWORD");
    assertThat(map(map(password, "valueFrom"), "secretKeyRef")).containsKeys("name", "key");
  }

  @Test
  void systemdUnit_runsTheJarWithThePasswordFromAnEnvironmentFile() throws IOException {
    String unit =
        Files.readString(DEPLOY.resolve("health-record-gateway.service"), StandardCharsets.UTF_8);

    assertThat(unit)
        .contains("\nEnvironmentFile=/etc/health-record-gateway/gateway.env\n")
        .contains("GATEWAY_KEYSTORE_PASSWORD=")
        .contains("\nRestart=on-failure\n")
        .contains("\nUser=gateway\n")
        .contains("\nNoNewPrivileges=true\n")
        .contains("--server.ssl.bundle=gateway")
        .contains("--management.server.ssl.enabled=false")
        .contains("--spring.ssl.bundle.pem.gateway.keystore.certificate=file:")
        .contains("--spring.ssl.bundle.pem.gateway.keystore.private-key=file:")
        .containsPattern("\nExecStart=/usr/bin/java -jar \\S+\\.jar");
  }

  private static void assertProbe(
      Map<String, Object> container, String probe, String path, Object portName) {
    Map<String, Object> get = map(map(container, probe), "httpGet");
    assertThat(get).as(probe).containsEntry("path", path).containsEntry("port", portName);
    assertThat(get).as(probe + " over TLS (an SSL bundle is set)").containsEntry("scheme", "HTTPS");
  }

  private static Binder binder(Map<String, String> env) {
    Map<String, Object> source = new LinkedHashMap<>(env);
    return new Binder(
        ConfigurationPropertySources.from(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, source)));
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> variable : list(container, "env")) {
      if (variable.containsKey("value")) {
        env.put(variable.get("name").toString(), variable.get("value").toString());
      }
    }
    return env;
  }

  private static Map<String, Object> env(Map<String, Object> container, String name) {
    return list(container, "env").stream()
        .filter(v -> name.equals(v.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static Map<String, Object> container() throws IOException {
    return list(podSpec(), "containers").get(0);
  }

  private static Map<String, Object> podSpec() throws IOException {
    return map(map(map(manifest("deployment.yaml"), "spec"), "template"), "spec");
  }

  private static Map<String, Object> manifest(String file) throws IOException {
    try (InputStream in = Files.newInputStream(DEPLOY.resolve("kubernetes").resolve(file))) {
      return new Yaml().load(in);
    }
  }

  private static Map<String, Object> applicationYml() throws IOException {
    try (InputStream in = DeploymentManifestsTest.class.getResourceAsStream("/application.yml")) {
      return new Yaml().load(in);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(List.class);
    return (List<Map<String, Object>>) value;
  }
}
