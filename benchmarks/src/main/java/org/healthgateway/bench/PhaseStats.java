package org.healthgateway.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Operations, resources, errors and an HdrHistogram of latencies of one load-driver phase, and the
 * server's CPU time over it when its process is known ({@link ServerCpu}): read when the phase is
 * created and when it {@link #finish()}es.
 */
final class PhaseStats {

  private static final long MAX_MICROS = 10L * 60 * 1_000_000;
  private static final int MAX_ERROR_SAMPLES = 5;

  final String name;
  final long planned;
  private final Histogram latencyMicros = new ConcurrentHistogram(MAX_MICROS, 3);
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong resources = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<String> errorSamples = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile long endNanos;
  private final ServerCpu cpu;
  private final long cpuTicksAtStart;
  private volatile long cpuTicks = -1;

  PhaseStats(String name, long planned) {
    this(name, planned, ServerCpu.NONE);
  }

  PhaseStats(String name, long planned, ServerCpu cpu) {
    this.name = name;
    this.planned = planned;
    this.cpu = cpu;
    this.cpuTicksAtStart = cpu.ticks();
  }

  void record(long nanos, int resourceCount) {
    latencyMicros.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    operations.incrementAndGet();
    resources.addAndGet(resourceCount);
  }

  /** Counts a failed operation; {@code nanos <= 0} when it has no meaningful latency. */
  void error(long nanos, String what) {
    if (nanos > 0) {
      record(nanos, 0);
    } else {
      operations.incrementAndGet();
    }
    errors.incrementAndGet();
    synchronized (errorSamples) {
      if (errorSamples.size() < MAX_ERROR_SAMPLES) {
        errorSamples.add(what.length() > 300 ? what.substring(0, 300) + "..." : what);
      }
    }
  }

  void finish() {
    endNanos = System.nanoTime();
    long end = cpu.ticks();
    cpuTicks = end >= 0 && cpuTicksAtStart >= 0 ? end - cpuTicksAtStart : -1;
  }

  /** Server CPU milliseconds per operation over the phase; NaN when not measured. */
  double serverCpuMsPerOp() {
    return ServerCpu.msPerOp(cpuTicks, cpu.ticksPerSecond(), operations.get());
  }

  /** Latency at a percentile in milliseconds (0 when there was no operation). */
  double latencyMs(double percentile) {
    return millis(percentile);
  }

  double opsPerSecond() {
    return operations.get() / seconds();
  }

  long operations() {
    return operations.get();
  }

  long resources() {
    return resources.get();
  }

  long errors() {
    return errors.get();
  }

  double seconds() {
    long end = endNanos == 0 ? System.nanoTime() : endNanos;
    return (end - startNanos) / 1e9;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    double s = seconds();
    m.put("phase", name);
    m.put("operations", operations.get());
    m.put("resources", resources.get());
    m.put("errors", errors.get());
    m.put("seconds", round(s));
    m.put("opsPerSecond", round(operations.get() / s));
    m.put("resourcesPerSecond", round(resources.get() / s));
    m.put("latencyMsP50", millis(50));
    m.put("latencyMsP95", millis(95));
    m.put("latencyMsP99", millis(99));
    m.put("latencyMsMax", round(latencyMicros.getMaxValue() / 1000.0));
    double cpuMs = ServerCpu.msPerOp(cpuTicks, cpu.ticksPerSecond(), 1);
    m.put("serverCpuMs", Double.isNaN(cpuMs) ? null : round(cpuMs));
    double cpuPerOp = serverCpuMsPerOp();
    m.put("serverCpuMsPerOp", Double.isNaN(cpuPerOp) ? null : round3(cpuPerOp));
    synchronized (errorSamples) {
      m.put("errorSamples", List.copyOf(errorSamples));
    }
    return m;
  }

  String summaryLine() {
    double s = seconds();
    return String.format(
        "%-24s ops=%-7d %9.1f ops/s %10.1f res/s  p50=%8.2f ms p95=%8.2f ms p99=%8.2f ms"
            + "  cpu/op=%s  errors=%d  (%.1f s)",
        name,
        operations.get(),
        operations.get() / s,
        resources.get() / s,
        millis(50),
        millis(95),
        millis(99),
        cpuCell(serverCpuMsPerOp()),
        errors.get(),
        s);
  }

  private double millis(double percentile) {
    return operations.get() == 0
        ? 0
        : round(latencyMicros.getValueAtPercentile(percentile) / 1000.0);
  }

  /** A CPU/op figure for a table, 11 characters wide: {@code " - ms"} when not measured. */
  static String cpuCell(double msPerOp) {
    return Double.isNaN(msPerOp)
        ? String.format("%8s ms", "-")
        : String.format("%8.3f ms", msPerOp);
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
