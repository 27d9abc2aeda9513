package org.healthgateway.ledger.ethereum;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The adapter's Micrometer meters, all named {@code gateway.ledger.ethereum.*}: records sent, EVM
 * transactions sent, gas used per record, confirmation lag (append to applied), follower lag
 * (blocks behind the chain head), records refused by reason, reorgs deeper than the confirmation
 * depth.
 */
final class EthereumMetrics {
  final Counter recordsSent;
  final Counter transactionsSent;
  final DistributionSummary gasPerRecord;
  final DistributionSummary recordsPerTransaction;
  final Timer confirmationLag;
  final AtomicLong followerLagBlocks = new AtomicLong();
  final Counter deepReorgs;
  private final Map<RecordVerifier.Reason, Counter> rejected =
      new EnumMap<>(RecordVerifier.Reason.class);
  private final Counter gaps;

  EthereumMetrics(MeterRegistry registry) {
    recordsSent =
        Counter.builder("gateway.ledger.ethereum.records.sent")
            .description("ledger records sent in EVM transactions (resends included)")
            .register(registry);
    transactionsSent =
        Counter.builder("gateway.ledger.ethereum.transactions.sent")
            .description("EVM transactions sent")
            .register(registry);
    gasPerRecord =
        DistributionSummary.builder("gateway.ledger.ethereum.gas.per.record")
            .description("gas used by a mined append transaction divided by its records")
            .register(registry);
    recordsPerTransaction =
        DistributionSummary.builder("gateway.ledger.ethereum.records.per.transaction")
            .description("ledger records batched into one EVM transaction")
            .register(registry);
    confirmationLag =
        Timer.builder("gateway.ledger.ethereum.confirmation.lag")
            .description("from append to the record applied at the confirmation depth")
            .register(registry);
    Gauge.builder("gateway.ledger.ethereum.follower.lag", followerLagBlocks, AtomicLong::get)
        .description("blocks between the chain head and the last block the follower applied")
        .baseUnit("blocks")
        .register(registry);
    deepReorgs =
        Counter.builder("gateway.ledger.ethereum.reorgs.deep")
            .description("reorgs that replaced an applied block (deeper than the depth)")
            .register(registry);
    gaps =
        Counter.builder("gateway.ledger.ethereum.sequence.gaps")
            .description("record events missing from what the node returned")
            .register(registry);
    for (RecordVerifier.Reason reason : RecordVerifier.Reason.values()) {
      rejected.put(
          reason,
          Counter.builder("gateway.ledger.ethereum.records.rejected")
              .description("records read from the chain and refused")
              .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
              .register(registry));
    }
  }

  void rejected(RecordVerifier.Reason reason) {
    rejected.get(reason).increment();
  }

  double rejectedTotal() {
    return rejected.values().stream().mapToDouble(Counter::count).sum();
  }

  void gap() {
    gaps.increment();
  }
}
