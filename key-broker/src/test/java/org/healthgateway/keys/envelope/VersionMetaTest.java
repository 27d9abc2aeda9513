package org.healthgateway.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VersionMetaTest {

  private static VersionMeta meta(Set<String> grantKeyIds) {
    return new VersionMeta(
        "Observation",
        "o1",
        3,
        42,
        Instant.parse("2025-06-15T12:00:00Z"),
        false,
        "Practitioner/a",
        "p",
        grantKeyIds,
        Set.of());
  }

  @Test
  void versionedReference_isTypeIdHistoryVersion() {
    assertThat(meta(Set.of()).versionedReference()).isEqualTo("Observation/o1/_history/3");
  }

  @Test
  void encrypted_onlyWhenTheDataKeyIsWrappedUnderAGrant() {
    assertThat(meta(Set.of()).encrypted()).isFalse();
    assertThat(meta(Set.of("g-AAAAAAAAAAAAAAAAAAAAAA")).encrypted()).isTrue();
  }
}
