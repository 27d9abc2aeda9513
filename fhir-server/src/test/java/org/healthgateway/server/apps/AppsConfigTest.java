package org.healthgateway.server.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.healthgateway.server.smart.SmartProperties;
import org.junit.jupiter.api.Test;

class AppsConfigTest {

  @Test
  void contentSecurityPolicy_embedded_allowsThisServerOverHttpAndWebsocketOnly() {
    SmartProperties smart =
        new SmartProperties("http://localhost:8080", "http://localhost:8080/fhir", List.of(), null);
    String csp = AppsConfig.contentSecurityPolicy(smart);
    assertThat(csp)
        .contains("script-src 'self';")
        .contains("connect-src 'self' http://localhost:8080 ws://localhost:8080;")
        .contains("frame-ancestors 'none'");
  }

  @Test
  void contentSecurityPolicy_externalProvider_addsItsTokenEndpoint() {
    SmartProperties smart =
        new SmartProperties(
            "https://fhir.example.org",
            "https://fhir.example.org/fhir",
            List.of(),
            new SmartProperties.External(
                "https://idp.example.org/realms/health",
                null,
                "https://idp.example.org/realms/health/auth",
                "https://idp.example.org:8443/realms/health/token",
                null));
    assertThat(AppsConfig.contentSecurityPolicy(smart))
        .contains("https://fhir.example.org")
        .contains("wss://fhir.example.org")
        .contains("https://idp.example.org:8443");
  }

  @Test
  void contentSecurityPolicy_externalProviderWithoutTokenEndpoint_isStillMade() {
    SmartProperties smart =
        new SmartProperties(
            "https://fhir.example.org",
            "https://fhir.example.org/fhir",
            List.of(),
            new SmartProperties.External(
                "https://idp.example.org", null, "https://idp.example.org/auth", null, null));
    assertThat(AppsConfig.contentSecurityPolicy(smart)).contains("connect-src 'self'");
  }
}
