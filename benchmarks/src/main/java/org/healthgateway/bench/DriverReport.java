package org.healthgateway.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load driver's report: a table per server (one line per phase), with {@code --compare} the two
 * side by side with ratios gateway / other, and the JSON of it all.
 */
final class DriverReport {

  /** One server's run: which server, and its phases in order. */
  record Run(DriverPhases.Target target, List<PhaseStats> phases) {}

  /** The figures compared, as named in the JSON, and how to read them from a phase. */
  private enum Figure {
    OPS_PER_SECOND("opsPerSecond", "ops/s"),
    P50("latencyMsP50", "p50 ms"),
    P99("latencyMsP99", "p99 ms"),
    CPU_PER_OP("serverCpuMsPerOp", "cpu/op ms");

    final String key;
    final String label;

    Figure(String key, String label) {
      this.key = key;
      this.label = label;
    }

    double of(PhaseStats p) {
      return switch (this) {
        case OPS_PER_SECOND -> p.opsPerSecond();
        case P50 -> p.latencyMs(50);
        case P99 -> p.latencyMs(99);
        case CPU_PER_OP -> p.serverCpuMsPerOp();
      };
    }
  }

  private final Instant started;
  private final int concurrency;
  private final int repeat;

  DriverReport(Instant started, int concurrency, int repeat) {
    this.started = started;
    this.concurrency = concurrency;
    this.repeat = repeat;
  }

  /** One server's table: a line per phase. */
  void print(PrintStream out, Run run) {
    DriverPhases.Target t = run.target();
    out.println();
    out.printf(
        "FHIR load driver: %s %s, concurrency %d, started %s, server CPU %s%n",
        t.label(), t.http().base(), concurrency, started, cpuSource(t.cpu()));
    for (PhaseStats p : run.phases()) {
      out.println(p.summaryLine());
    }
  }

  /** Both servers side by side, phase by phase, with the ratio first / second of each figure. */
  static void printComparison(PrintStream out, Run first, Run second) {
    String a = first.target().label();
    String b = second.target().label();
    out.println();
    out.printf(
        "== %s (%s) vs %s (%s): ratio = %s / %s ==%n",
        a, first.target().http().base(), b, second.target().http().base(), a, b);
    StringBuilder header = new StringBuilder(String.format("%-24s", "phase"));
    for (Figure f : Figure.values()) {
      header.append(String.format(" | %-10s %10s %10s %6s", f.label, a, b, "ratio"));
    }
    out.println(header);
    for (PhaseStats p : first.phases()) {
      PhaseStats q = find(second.phases(), p.name);
      StringBuilder line = new StringBuilder(String.format("%-24s", p.name));
      for (Figure f : Figure.values()) {
        double x = f.of(p);
        double y = q == null ? Double.NaN : f.of(q);
        line.append(
            String.format(" | %-10s %10s %10s %6s", "", cell(x), cell(y), ratioCell(ratio(x, y))));
      }
      out.println(line);
    }
  }

  /** Writes both runs (the second may be null) and their ratios as JSON. */
  void writeJson(Path file, Run first, Run second, Map<String, Object> extra) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(runMap(first));
    out.put("concurrency", concurrency);
    out.put("repeat", repeat);
    out.putAll(extra);
    out.put("startedAt", started.toString());
    out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    out.put("phases", first.phases().stream().map(PhaseStats::toMap).toList());
    if (second != null) {
      Map<String, Object> other = new LinkedHashMap<>(runMap(second));
      other.put("phases", second.phases().stream().map(PhaseStats::toMap).toList());
      out.put("compare", other);
      out.put("ratios", ratios(first, second));
    }
    FhirHttp.json().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
  }

  /** Prints the first error samples of every phase that had errors. */
  static void printErrors(PrintStream out, Run run) {
    for (PhaseStats p : run.phases()) {
      if (p.errors() > 0) {
        out.println(
            run.target().label()
                + " "
                + p.name
                + " errors, first ones: "
                + p.toMap().get("errorSamples"));
      }
    }
  }

  /** {@code a / b}; NaN when either is missing or {@code b} is not positive. */
  static double ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? Double.NaN : a / b;
  }

  private static List<Map<String, Object>> ratios(Run first, Run second) {
    List<Map<String, Object>> ratios = new ArrayList<>();
    for (PhaseStats p : first.phases()) {
      PhaseStats q = find(second.phases(), p.name);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("phase", p.name);
      for (Figure f : Figure.values()) {
        double v = q == null ? Double.NaN : ratio(f.of(p), f.of(q));
        r.put(f.key, Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0);
      }
      ratios.add(r);
    }
    return ratios;
  }

  private static Map<String, Object> runMap(Run run) {
    DriverPhases.Target t = run.target();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", t.label());
    m.put("base", t.http().base());
    m.put("serverPid", t.cpu().measures() ? t.cpu().pid() : null);
    m.put("serverComm", t.cpu().measures() ? t.cpu().comm() : null);
    m.put("clockTicksPerSecond", t.cpu().measures() ? t.cpu().ticksPerSecond() : null);
    return m;
  }

  private static PhaseStats find(List<PhaseStats> phases, String name) {
    return phases.stream().filter(p -> p.name.equals(name)).findFirst().orElse(null);
  }

  private static String cpuSource(ServerCpu cpu) {
    return cpu.measures()
        ? "of pid " + cpu.pid() + " (" + cpu.comm() + ", " + cpu.ticksPerSecond() + " ticks/s)"
        : "not measured (no --server-pid)";
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "-" : String.format(v >= 100 ? "%.1f" : "%.3f", v);
  }

  private static String ratioCell(double r) {
    return Double.isNaN(r) ? "-" : String.format("%.2f", r);
  }
}
