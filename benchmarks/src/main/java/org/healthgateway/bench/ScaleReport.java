package org.healthgateway.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scale run's figures: one map per size (the JSON keys), a table with a column per size, the
 * growth between consecutive sizes (ratio, and the exponent {@code k} in figure ~ versions^k: 0 =
 * flat, 1 = linear) and issue 5's targets.
 */
final class ScaleReport {

  /** A row of the table: the JSON key, its label and how to print it. */
  private record Row(String key, String label, Unit unit) {}

  private enum Unit {
    COUNT,
    MIB,
    SECONDS,
    MILLIS,
    RATE
  }

  private static final List<Row> ROWS =
      List.of(
          new Row("ledgerVersions", "resource versions (ledger)", Unit.COUNT),
          new Row("ledgerEntries", "ledger entries", Unit.COUNT),
          new Row("ledgerBytes", "ledger on disk (MiB)", Unit.MIB),
          new Row("loadedVersions", "versions written this round", Unit.COUNT),
          new Row("loadVersionsPerSecond", "load rate (versions/s)", Unit.RATE),
          new Row("loadBundleP50Ms", "load: Bundle p50 (ms)", Unit.MILLIS),
          new Row("loadCpuMsPerVersion", "load: server CPU per version (ms)", Unit.MILLIS),
          new Row("startupSeconds", "start-up to metadata 200 (s)", Unit.SECONDS),
          new Row("ledgerOpenedAtSeconds", "  'ledger opened' logged at (s)", Unit.SECONDS),
          new Row("ledgerSpanSeconds", "  ledger span: gap before it (s)", Unit.SECONDS),
          new Row("springStartedSeconds", "  Spring 'Started ... in' (s)", Unit.SECONDS),
          new Row(
              "springProcessRunningSeconds", "  Spring '(process running for)' (s)", Unit.SECONDS),
          new Row("firstMetadataCallSeconds", "  the 200 metadata call itself (s)", Unit.SECONDS),
          new Row("heapUsedBytes", "heap used after start-up + full GC (MiB)", Unit.MIB),
          new Row("rssBytes", "  resident set size (MiB)", Unit.MIB),
          new Row("verifySeconds", "verify wall time (s)", Unit.SECONDS),
          new Row("searchColdMs", "search, first call after start (ms)", Unit.MILLIS),
          new Row("searchP50Ms", "search p50 (ms)", Unit.MILLIS),
          new Row("searchP95Ms", "search p95 (ms)", Unit.MILLIS),
          new Row("searchP99Ms", "search p99 (ms)", Unit.MILLIS),
          new Row("searchMatches", "  search matches (Bundle.total)", Unit.COUNT),
          new Row("searchCpuMsPerOp", "  search server CPU/op (ms)", Unit.MILLIS),
          new Row("searchTypeColdMs", "type-wide search, first call (ms)", Unit.MILLIS),
          new Row("searchTypeP50Ms", "type-wide search p50 (ms)", Unit.MILLIS),
          new Row("searchTypeP95Ms", "type-wide search p95 (ms)", Unit.MILLIS),
          new Row("searchTypeP99Ms", "type-wide search p99 (ms)", Unit.MILLIS),
          new Row("searchTypeMatches", "  type-wide matches (Bundle.total)", Unit.COUNT),
          new Row("searchTypeCpuMsPerOp", "  type-wide server CPU/op (ms)", Unit.MILLIS),
          new Row("heapUsedAfterSearchBytes", "heap used after the searches + GC (MiB)", Unit.MIB),
          new Row("stopSeconds", "graceful stop after the load (s)", Unit.SECONDS));

  private static final long GIB = 1L << 30;

  private final List<Map<String, Object>> sizes = new ArrayList<>();

  void add(Map<String, Object> figures) {
    sizes.add(figures);
  }

  /** The figures of one size, as a list, right after it was measured. */
  static void printSize(PrintStream out, Map<String, Object> f) {
    out.printf(
        "%n== scale run: %,d resource versions ==%n",
        ((Number) f.get("ledgerVersions")).longValue());
    for (Row row : ROWS) {
      if (f.get(row.key()) instanceof Number n) {
        out.printf("  %-44s %14s%n", row.label(), format(n.doubleValue(), row.unit()));
      }
    }
    out.printf("  %-44s %s%n", "ledger span measured from", f.get("ledgerSpanFrom"));
    out.printf("  %-44s %s%n", "verify output", f.get("verifyOutput"));
    out.printf(
        "  %-44s #%s (%s resources, never searched before)%n",
        "searched patient", f.get("searchPatientNumber"), f.get("searchPatientResources"));
    out.printf(
        "  %-44s %s / %s / %s / %s%n",
        "load average: before/after load, measure",
        f.get("loadAverageBeforeLoad"),
        f.get("loadAverageAfterLoad"),
        f.get("loadAverageBeforeMeasure"),
        f.get("loadAverageAfterMeasure"));
    printTargets(out, f);
  }

  /** Every size side by side, then the growth between consecutive sizes. */
  void printAll(PrintStream out) {
    if (sizes.size() < 2) {
      return;
    }
    StringBuilder header = new StringBuilder(String.format("%-44s", "figure"));
    for (Map<String, Object> f : sizes) {
      header.append(String.format(" %14s", "@" + shortCount(f.get("targetVersions"))));
    }
    for (int i = 1; i < sizes.size(); i++) {
      header.append(String.format(" %16s", ratioName(i)));
    }
    out.printf("%n== scale run, all sizes (ratio x, exponent k: figure ~ versions^k) ==%n");
    out.println(header);
    for (Row row : ROWS) {
      StringBuilder line = new StringBuilder(String.format("%-44s", row.label()));
      for (Map<String, Object> f : sizes) {
        Object v = f.get(row.key());
        line.append(
            String.format(
                " %14s", v instanceof Number n ? format(n.doubleValue(), row.unit()) : "-"));
      }
      for (int i = 1; i < sizes.size(); i++) {
        line.append(String.format(" %16s", growthCell(row.key(), i)));
      }
      out.println(line);
    }
  }

  /** The growth between size i-1 and size i of every numeric figure. */
  List<Map<String, Object>> growth() {
    List<Map<String, Object>> result = new ArrayList<>();
    for (int i = 1; i < sizes.size(); i++) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("from", sizes.get(i - 1).get("targetVersions"));
      g.put("to", sizes.get(i).get("targetVersions"));
      Map<String, Object> ratios = new LinkedHashMap<>();
      Map<String, Object> exponents = new LinkedHashMap<>();
      for (Row row : ROWS) {
        double r = ratio(row.key(), i);
        if (!Double.isNaN(r)) {
          ratios.put(row.key(), round(r));
          exponents.put(row.key(), round(exponent(row.key(), i)));
        }
      }
      g.put("ratio", ratios);
      g.put("exponent", exponents);
      result.add(g);
    }
    return result;
  }

  /** The figures of the sizes measured earlier in a work dir, by target size. */
  static Map<Long, Map<String, Object>> readMeasured(Path file) throws IOException {
    Map<Long, Map<String, Object>> measured = new TreeMap<>();
    if (Files.exists(file)) {
      for (JsonNode size : FhirHttp.json().readTree(file.toFile())) {
        Map<String, Object> f = FhirHttp.json().convertValue(size, new TypeReference<>() {});
        measured.put(size.path("targetVersions").asLong(), new LinkedHashMap<>(f));
      }
    }
    return measured;
  }

  static void writeMeasured(Path file, Map<Long, Map<String, Object>> measured) throws IOException {
    FhirHttp.json().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), measured.values());
  }

  void writeJson(Path file, Map<String, Object> header) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>(header);
    out.put("sizes", sizes);
    out.put("growth", growth());
    FhirHttp.json().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
  }

  private static void printTargets(PrintStream out, Map<String, Object> f) {
    long versions = ((Number) f.get("ledgerVersions")).longValue();
    out.println("  issue 5 targets:");
    target(out, "start-up <= 10 s at 1M", number(f, "startupSeconds"), 10, versions, true);
    target(out, "verify <= 30 s at 1M", number(f, "verifySeconds"), 30, versions, true);
    double heapGib = number(f, "heapUsedBytes") / GIB;
    target(out, "heap after start-up <= 1 GiB at 1M", heapGib, 1, versions, true);
    target(
        out,
        "search p50 <= 10 ms (1,000-resource patient)",
        number(f, "searchP50Ms"),
        10,
        versions,
        false);
  }

  /** Met or missed at 1M; below 1M a figure already over the limit is over (figures grow). */
  private static void target(
      PrintStream out, String name, double value, double limit, long versions, boolean at1m) {
    String verdict;
    if (!at1m || versions >= 1_000_000) {
      verdict = value <= limit ? "met" : String.format("MISSED (%.1fx)", value / limit);
    } else {
      verdict =
          value <= limit
              ? "within so far (target is at 1M)"
              : String.format("OVER already at this size (%.1fx)", value / limit);
    }
    out.printf("    %-46s %10.2f  %s%n", name, value, verdict);
  }

  private String growthCell(String key, int i) {
    double r = ratio(key, i);
    return Double.isNaN(r) ? "" : String.format("%.2fx k=%.2f", r, exponent(key, i));
  }

  private double ratio(String key, int i) {
    double a = number(sizes.get(i - 1), key);
    double b = number(sizes.get(i), key);
    return a > 0 && b > 0 ? b / a : Double.NaN;
  }

  private double exponent(String key, int i) {
    double sizeRatio = ratio("ledgerVersions", i);
    return Math.log(ratio(key, i)) / Math.log(sizeRatio);
  }

  private String ratioName(int i) {
    return shortCount(sizes.get(i).get("targetVersions"))
        + "/"
        + shortCount(sizes.get(i - 1).get("targetVersions"));
  }

  private static double number(Map<String, Object> f, String key) {
    return f.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String shortCount(Object o) {
    long n = ((Number) o).longValue();
    return n >= 1_000_000 && n % 1_000_000 == 0
        ? n / 1_000_000 + "M"
        : n >= 1000 && n % 1000 == 0 ? n / 1000 + "k" : Long.toString(n);
  }

  private static String format(double v, Unit unit) {
    return switch (unit) {
      case COUNT -> String.format("%,d", Math.round(v));
      case MIB -> String.format("%,.1f", v / (1 << 20));
      case SECONDS -> String.format("%.2f", v);
      case MILLIS -> String.format("%.2f", v);
      case RATE -> String.format("%,.1f", v);
    };
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
