package org.healthgateway.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.response.Response;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.util.Collections;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Operators scrape FHIR interaction and ledger append metrics from Prometheus on the management
 * port (loopback only); the public port does not serve them.
 */
@Order(4)
class MetricsTest {

  @Test
  void prometheus_afterFhirTraffic_exposesFhirRequestAndLedgerAppendMetrics() {
    GatewayProcess gateway = SharedGateway.get();
    Response created =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .body(Observations.heartRate(gateway.fhirUser(GatewayProcess.PATIENT_P), "metrics", 70))
            .post("/Observation");
    assertThat(created.statusCode()).as("create: %s", created.asString()).isEqualTo(201);
    Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
        .get("/" + Fhir.relativeId(created.header("Location")));

    Response scrape = given().baseUri(gateway.managementUrl()).get("/actuator/prometheus");
    assertThat(scrape.statusCode())
        .as("/actuator/prometheus on the management port: %s", scrape.asString())
        .isEqualTo(200);
    var samples = scrape.asString().lines().filter(line -> !line.startsWith("#")).toList();
    assertThat(samples).anyMatch(line -> line.startsWith("gateway_fhir_requests"));
    assertThat(samples).anyMatch(line -> line.startsWith("gateway_ledger_append"));
  }

  @Test
  void prometheus_onPublicPort_notServed() {
    GatewayProcess gateway = SharedGateway.get();
    Response anonymous = given().baseUri(gateway.baseUrl()).get("/actuator/prometheus");
    assertThat(anonymous.statusCode()).as("anonymous: %s", anonymous.asString()).isIn(401, 404);
    Response withToken =
        given()
            .baseUri(gateway.baseUrl())
            .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR))
            .get("/actuator/prometheus");
    assertThat(withToken.statusCode()).as("with a token: %s", withToken.asString()).isEqualTo(404);
    assertThat(withToken.asString()).doesNotContain("gateway_fhir_requests");
  }

  @Test
  void probes_onPublicPort_answerWithoutToken() {
    GatewayProcess gateway = SharedGateway.get();
    for (String probe : new String[] {"/livez", "/readyz"}) {
      Response response = given().baseUri(gateway.baseUrl()).get(probe);
      assertThat(response.statusCode()).as("%s: %s", probe, response.asString()).isEqualTo(200);
      assertThat(response.asString()).contains("UP");
    }
  }

  @Test
  void managementPort_onOtherInterfaces_refusesConnections() throws Exception {
    GatewayProcess gateway = SharedGateway.get();
    int port = URI.create(gateway.managementUrl()).getPort();
    InetAddress external = null;
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (nic.isUp() && !address.isLoopbackAddress() && address instanceof Inet4Address) {
          external = address;
        }
      }
    }
    assumeTrue(external != null, "no non-loopback address");
    try (Socket socket = new Socket()) {
      InetAddress target = external;
      assertThatThrownBy(() -> socket.connect(new InetSocketAddress(target, port), 2000))
          .as("connect to the management port on %s", target)
          .isInstanceOf(IOException.class);
    }
  }
}
