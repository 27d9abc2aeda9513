package org.healthgateway.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * An orchestrator sends traffic to a node once its readiness probe says so: the readiness group
 * holds the ledger component, UP once the ledger is open and verified, on the main port ({@code
 * /readyz}) and on the management port; liveness does not depend on the ledger.
 */
@Order(5)
class ReadinessTest {

  @Test
  void readiness_startedNode_upWithTheLedgerComponent() {
    GatewayProcess gateway = SharedGateway.get();
    for (String url :
        new String[] {
          gateway.baseUrl() + "/readyz", gateway.managementUrl() + "/actuator/health/readiness"
        }) {
      Response response = given().get(url);
      assertThat(response.statusCode()).as("%s: %s", url, response.asString()).isEqualTo(200);
      JsonPath body = response.jsonPath();
      assertThat(body.getString("status")).as(url).isEqualTo("UP");
      assertThat(body.getString("components.ledger.status")).as(url).isEqualTo("UP");
      assertThat(body.getString("components.readinessState.status")).as(url).isEqualTo("UP");
    }
  }

  @Test
  void liveness_startedNode_upWithoutTheLedger() {
    Response response = given().get(SharedGateway.get().baseUrl() + "/livez");

    assertThat(response.statusCode()).as("/livez: %s", response.asString()).isEqualTo(200);
    assertThat(response.jsonPath().getString("status")).isEqualTo("UP");
    assertThat(response.asString()).doesNotContain("ledger");
  }
}
