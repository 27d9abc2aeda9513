package org.healthgateway.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Operators scrape FHIR interaction and ledger append metrics from Prometheus. */
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

    Response scrape = given().baseUri(gateway.baseUrl()).get("/actuator/prometheus");
    if (scrape.statusCode() == 401) {
      scrape =
          given()
              .baseUri(gateway.baseUrl())
              .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR))
              .get("/actuator/prometheus");
    }
    assertThat(scrape.statusCode())
        .as("/actuator/prometheus: %s", scrape.asString())
        .isEqualTo(200);
    var samples = scrape.asString().lines().filter(line -> !line.startsWith("#")).toList();
    assertThat(samples).anyMatch(line -> line.startsWith("gateway_fhir_requests"));
    assertThat(samples).anyMatch(line -> line.startsWith("gateway_ledger_append"));
  }
}
