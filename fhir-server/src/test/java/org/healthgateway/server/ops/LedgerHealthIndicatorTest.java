package org.healthgateway.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.healthgateway.server.store.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class LedgerHealthIndicatorTest {

  @TempDir Path dir;

  @Test
  void health_openLedger_upWithItsEntries() throws Exception {
    try (TestNode node = TestNode.open(dir)) {
      Health health = new LedgerHealthIndicator(node.store, node.ledger).health();

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("entries", node.ledger.size());
      assertThat(node.ledger.size()).as("the node identity, written on a new ledger").isPositive();
    }
  }

  @Test
  void health_ledgerClosed_outOfService() throws Exception {
    TestNode node = TestNode.open(dir);
    LedgerHealthIndicator indicator = new LedgerHealthIndicator(node.store, node.ledger);
    node.close();

    assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
  }

  @Test
  void health_reopenedLedger_upAgain() throws Exception {
    TestNode.open(dir).close();
    try (TestNode node = TestNode.open(dir)) {
      Health health = new LedgerHealthIndicator(node.store, node.ledger).health();

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("openedWith", node.ledger.size());
    }
  }
}
