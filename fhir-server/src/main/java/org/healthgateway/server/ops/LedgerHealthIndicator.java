package org.healthgateway.server.ops;

import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.server.store.RecordStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code ledger} health component, in the readiness group ({@code /readyz} on the main port,
 * {@code /actuator/health/readiness} on the management port). It exists only once the record store
 * has opened the ledger, verified it (the embedded ledger's lengths, CRCs and signed checkpoints;
 * the chain's record signatures) and rebuilt its index from it, which the store does before it is
 * handed to anyone; a ledger that does not verify stops the start instead. From then on it is UP
 * while the newest entry can be read, OUT_OF_SERVICE when it cannot (the ledger closed at shutdown,
 * its files gone), so a load balancer sends no request the node cannot answer.
 */
@Component
public final class LedgerHealthIndicator implements HealthIndicator {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerHealthIndicator.class);

  private final Ledger ledger;
  private final long openedWith;

  /**
   * @param openedStore the record store, opened and verified (the only state in which the server
   *     hands it out)
   * @param ledger the ledger the store opened
   */
  public LedgerHealthIndicator(RecordStore openedStore, Ledger ledger) {
    this.ledger = ledger;
    this.openedWith = ledger.size();
    LOG.info(
        "readiness: ledger open and verified ({} entries, index from the snapshot of {})",
        openedWith,
        openedStore.openedFrom());
  }

  @Override
  public Health health() {
    long size = ledger.size();
    try {
      if (size > 0) {
        ledger.read(size - 1);
      }
      return Health.up().withDetail("entries", size).withDetail("openedWith", openedWith).build();
    } catch (LedgerException | RuntimeException e) {
      LOG.warn("readiness: the newest ledger entry cannot be read: {}", e.getMessage());
      return Health.outOfService().build();
    }
  }
}
