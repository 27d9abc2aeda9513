package org.healthgateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocksTest {

  private final Locks locks = new Locks();

  @Test
  void of_sameName_sameLock() {
    String name = "Patient/p";
    String equalName = new String(name.toCharArray());

    assertThat(locks.of(equalName)).isSameAs(locks.of(name));
  }

  @Test
  void of_manyNames_aBoundedNumberOfDistinctLocks() {
    Set<Object> distinct = Collections.newSetFromMap(new IdentityHashMap<>());

    for (int i = 0; i < 10_000; i++) {
      distinct.add(locks.of("Patient/" + i));
    }

    assertThat(distinct).hasSizeBetween(2, 64);
  }

  @Test
  void of_otherLocks_otherObjects() {
    assertThat(new Locks().of("Patient/p")).isNotSameAs(locks.of("Patient/p"));
  }
}
