package org.healthgateway.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.healthgateway.server.smart.SmartScope.Level;
import org.junit.jupiter.api.Test;

class SmartScopeTest {

  @Test
  void parse_v1Read_becomesReadAndSearch() {
    SmartScope scope = SmartScope.parse("patient/Observation.read").orElseThrow();
    assertThat(scope.level()).isEqualTo(Level.PATIENT);
    assertThat(scope.resourceType()).isEqualTo("Observation");
    assertThat(scope.permissions()).isEqualTo("rs");
    assertThat(scope.query()).isEmpty();
  }

  @Test
  void parse_v1WriteAndStar_becomeCudAndCruds() {
    assertThat(SmartScope.parse("user/*.write").orElseThrow().permissions()).isEqualTo("cud");
    assertThat(SmartScope.parse("system/*.*").orElseThrow().permissions()).isEqualTo("cruds");
  }

  @Test
  void parse_v2WithQuery_keepsFilter() {
    SmartScope scope =
        SmartScope.parse(
                "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/"
                    + "observation-category|laboratory")
            .orElseThrow();
    assertThat(scope.permissions()).isEqualTo("rs");
    assertThat(scope.query())
        .isEqualTo(
            Map.of(
                "category",
                List.of("http://terminology.hl7.org/CodeSystem/observation-category|laboratory")));
  }

  @Test
  void parse_nonResourceOrMalformedScopes_empty() {
    for (String scope :
        List.of(
            "openid",
            "launch/patient",
            "offline_access",
            "patient/Observation.",
            "patient/Observation.sr",
            "patient/Observation.rr",
            "doctor/Observation.read",
            "patient/observation.read",
            "patient/Observation.rs?category",
            "patient/Observation.x")) {
      assertThat(SmartScope.parse(scope)).as(scope).isEmpty();
    }
  }

  @Test
  void grants_wildcardAndPermissions_matchInteraction() {
    SmartScope scope = SmartScope.parse("user/*.rs").orElseThrow();
    assertThat(scope.grants("Condition", 'r')).isTrue();
    assertThat(scope.grants("Condition", 's')).isTrue();
    assertThat(scope.grants("Condition", 'c')).isFalse();
    assertThat(SmartScope.parse("user/Condition.d").orElseThrow().grants("Observation", 'd'))
        .isFalse();
  }

  @Test
  void isCovered_narrowerRequestUnderRegisteredWildcard_true() {
    List<String> registered = List.of("openid", "patient/*.cruds", "system/Patient.rs");
    assertThat(SmartScope.isCovered(registered, "openid")).isTrue();
    assertThat(SmartScope.isCovered(registered, "patient/Observation.rs?category=laboratory"))
        .isTrue();
    assertThat(SmartScope.isCovered(registered, "patient/Observation.read")).isTrue();
    assertThat(SmartScope.isCovered(registered, "system/Patient.r")).isTrue();
  }

  @Test
  void isCovered_broaderOrOtherLevel_false() {
    List<String> registered = List.of("patient/*.rs", "system/Patient.rs?active=true");
    assertThat(SmartScope.isCovered(registered, "patient/Observation.c")).isFalse();
    assertThat(SmartScope.isCovered(registered, "user/Observation.rs")).isFalse();
    assertThat(SmartScope.isCovered(registered, "system/Patient.rs")).isFalse();
    assertThat(SmartScope.isCovered(registered, "fhirUser")).isFalse();
  }
}
