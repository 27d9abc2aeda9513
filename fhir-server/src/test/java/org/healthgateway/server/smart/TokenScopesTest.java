package org.healthgateway.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenScopesTest {

  @Test
  void access_systemScope_unrestricted() {
    TokenScopes token = TokenScopes.of(List.of("system/*.*"), null, "Device/ehr");
    assertThat(token.access("Observation", 'd').unrestricted()).isTrue();
  }

  @Test
  void access_withoutScope_deniedWithReason() {
    ScopeAccess access =
        TokenScopes.of(List.of("user/Observation.rs"), null, "Practitioner/a")
            .access("Condition", 'r');
    assertThat(access.allowed()).isFalse();
    assertThat(access.reason()).contains("Insufficient scope");
  }

  @Test
  void access_patientScope_confinedToLaunchPatient() {
    ScopeAccess access =
        TokenScopes.of(List.of("patient/Observation.rs"), "p1", "Practitioner/a")
            .access("Observation", 's');
    assertThat(access.allowed()).isTrue();
    assertThat(access.patientId()).isEqualTo("p1");
  }

  @Test
  void access_patientScopeForPatientUser_confinedToOwnRecord() {
    ScopeAccess access =
        TokenScopes.of(List.of("patient/*.read"), null, "Patient/p2").access("Condition", 'r');
    assertThat(access.patientId()).isEqualTo("p2");
  }

  @Test
  void access_patientScopeWithoutContext_denied() {
    assertThat(
            TokenScopes.of(List.of("patient/*.rs"), null, "Practitioner/a")
                .access("Observation", 'r')
                .allowed())
        .isFalse();
  }

  @Test
  void access_userScopeWinsOverPatientScope_noCompartmentLimit() {
    ScopeAccess access =
        TokenScopes.of(List.of("patient/*.rs", "user/Observation.rs"), "p1", "Practitioner/a")
            .access("Observation", 'r');
    assertThat(access.unrestricted()).isTrue();
  }

  @Test
  void access_v2Filters_unionUnlessOneScopeIsUnfiltered() {
    TokenScopes filtered =
        TokenScopes.of(
            List.of(
                "user/Observation.rs?category=laboratory",
                "user/Observation.rs?category=vital-signs"),
            null,
            "Practitioner/a");
    assertThat(filtered.access("Observation", 's').filters())
        .containsExactly(
            Map.of("category", List.of("laboratory")), Map.of("category", List.of("vital-signs")));
    TokenScopes mixed =
        TokenScopes.of(
            List.of("user/Observation.rs?category=laboratory", "user/Observation.r"),
            null,
            "Practitioner/a");
    assertThat(mixed.access("Observation", 'r').filters()).isEmpty();
    assertThat(mixed.access("Observation", 's').filters()).hasSize(1);
  }

  @Test
  void scopeValues_stringOrArrayOrScp_allRead() {
    assertThat(TokenScopes.scopeValues(Map.of("scope", "openid  patient/*.rs")))
        .containsExactly("openid", "patient/*.rs");
    assertThat(TokenScopes.scopeValues(Map.of("scope", List.of("a", "b"))))
        .containsExactly("a", "b");
    assertThat(TokenScopes.scopeValues(Map.of("scp", List.of("c")))).containsExactly("c");
  }
}
