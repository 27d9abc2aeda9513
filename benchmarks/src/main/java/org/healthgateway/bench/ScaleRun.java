package org.healthgateway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Issue 5's scale run: grows one embedded ledger through the gateway's FHIR API to each of the
 * given sizes (in resource versions) and at each size measures, on the real jar as a child process:
 * start-up, heap after start-up, {@code verify}, patient+category and type-wide search latency and
 * server CPU per search, and the ledger on disk. Usage: {@code java -cp benchmarks.jar
 * org.healthgateway.bench.ScaleRun --help}.
 */
public final class ScaleRun {

  static final String USAGE =
      """
      ScaleRun --gateway-jar FILE --work-dir DIR [options]
        --sizes LIST         resource versions to grow to, ascending (default 10000,100000,1000000)
        --port N             gateway HTTP port (default 18191)
        --per-patient N      resources per synthetic patient (default 1000)
        --bundle-size N      entries per transaction Bundle (default 500)
        --concurrency N      Bundles in flight while loading (default 4)
        --category CODE      observation-category of the search (default laboratory)
        --type-code CODE     LOINC code of the type-wide search Observation?code=..&_count=50
                             (default 2339-0)
        --warmup N           searches before the measured ones, per search (default 5)
        --repeat N           measured searches, per search (default 50)
        --jvm-args "ARGS"    JVM options of the gateway and of verify, space-separated (default none)
        --json FILE          also write the figures as JSON (rewritten after every size)
      The work dir keeps data/, secrets/, logs/, scale-state.json (the patients written) and
      scale-results.json (the figures of every size measured there): a later run grows the same
      ledger and reuses the figures of a size already measured. Loading runs the gateway with
      --gateway.validation=false; the measured start uses the gateway's defaults.
      """;

  /** LOINC 2339-0, blood glucose: one of six laboratory tests, ~5.8% of the Observations. */
  private static final String DEFAULT_TYPE_CODE = "2339-0";

  private static final Duration START_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration VERIFY_TIMEOUT = Duration.ofHours(2);

  private final Map<String, String> options;
  private final ScaleGateway.Setup setup;
  private final Path workDir;
  private final ScaleState state;
  private final ScaleReport report = new ScaleReport();
  private final Map<String, Object> header = new LinkedHashMap<>();

  private ScaleRun(Map<String, String> options) throws IOException {
    this.options = options;
    this.workDir = Path.of(options.get("work-dir")).toAbsolutePath();
    List<String> jvmArgs =
        Arrays.stream(options.getOrDefault("jvm-args", "").split(" "))
            .filter(s -> !s.isBlank())
            .toList();
    this.setup =
        new ScaleGateway.Setup(
            Path.of(options.get("gateway-jar")).toAbsolutePath(),
            workDir.resolve("data"),
            workDir.resolve("secrets"),
            intOption("port", 18191),
            jvmArgs);
    Files.createDirectories(workDir.resolve("logs"));
    this.state =
        ScaleState.open(workDir.resolve("scale-state.json"), intOption("per-patient", 1000));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    if (options == null) {
      System.err.print(USAGE);
      System.exit(2);
    }
    // On Ctrl-C or SIGTERM, stop the gateway (gracefully) rather than leave it running.
    Runtime.getRuntime().addShutdownHook(new Thread(ScaleGateway::stopChildren));
    new ScaleRun(options).run();
  }

  private void run() throws Exception {
    header.put("startedAt", Instant.now().toString());
    header.put("gatewayJar", setup.jar().toString());
    header.put("gatewayJarSha256", sha256(setup.jar()));
    header.put("workDir", workDir.toString());
    header.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    header.put("options", new LinkedHashMap<>(options));
    header.put("loadGatewayArgs", List.of("--gateway.validation=false"));
    header.put(
        "cpuMethod",
        "utime+stime of the gateway JVM from /proc/<pid>/stat around the measured calls");
    header.put("heapMethod", "jcmd <pid> GC.run, then jcmd <pid> GC.heap_info (used)");
    Path measuredFile = workDir.resolve("scale-results.json");
    Map<Long, Map<String, Object>> measured = ScaleReport.readMeasured(measuredFile);
    for (long size : sizes()) {
      Map<String, Object> f = measured.get(size);
      if (f != null) {
        System.err.printf("%,d: measured earlier in this work dir (%s)%n", size, measuredFile);
      } else {
        f = measureSize(size);
        measured.put(size, f);
        ScaleReport.writeMeasured(measuredFile, measured);
      }
      report.add(f);
      ScaleReport.printSize(System.out, f);
      if (options.containsKey("json")) {
        report.writeJson(Path.of(options.get("json")), header);
      }
    }
    report.printAll(System.out);
  }

  private Map<String, Object> measureSize(long size) throws Exception {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("targetVersions", size);
    grow(size, f);
    f.put("ledgerBytes", directoryBytes(setup.dataDir().resolve("ledger")));
    verify(f);
    measure(size, f);
    f.put("measuredAt", Instant.now().toString());
    return f;
  }

  /** Starts a loading gateway and writes until the ledger holds at least {@code size} versions. */
  private void grow(long size, Map<String, Object> f) throws Exception {
    Path log = workDir.resolve("logs/load-" + size + ".log");
    try (ScaleGateway gateway =
        ScaleGateway.start(setup, log, List.of("--gateway.validation=false"))) {
      gateway.awaitReady(START_TIMEOUT);
      long present = gateway.startLog().versions();
      f.put("versionsBeforeLoad", present);
      f.put("loadAverageBeforeLoad", loadAverage());
      if (present < size) {
        System.err.printf(
            "loading %,d -> %,d resource versions (gateway log %s)%n", present, size, log);
        ScaleLoader loader =
            new ScaleLoader(
                gateway.demoEhr(),
                state,
                intOption("bundle-size", 500),
                intOption("concurrency", 4),
                ServerCpu.of(gateway.pid()));
        PhaseStats stats = loader.load("load to " + size, size - present);
        Map<String, Object> m = stats.toMap();
        f.put("loadedVersions", m.get("resources"));
        f.put("loadBundles", m.get("operations"));
        f.put("loadSeconds", m.get("seconds"));
        f.put("loadVersionsPerSecond", m.get("resourcesPerSecond"));
        f.put("loadBundleP50Ms", m.get("latencyMsP50"));
        f.put("loadBundleP99Ms", m.get("latencyMsP99"));
        f.put("loadErrors", m.get("errors"));
        if (m.get("serverCpuMs") instanceof Number cpuMs && stats.resources() > 0) {
          f.put("loadCpuMsPerVersion", ScaleReport.round(cpuMs.doubleValue() / stats.resources()));
        }
        f.put("loadAverageAfterLoad", loadAverage());
      } else {
        System.err.printf("the ledger already holds %,d resource versions: no load%n", present);
        f.put("loadedVersions", 0);
      }
      f.put("stopSeconds", ScaleReport.round(gateway.stop()));
    }
  }

  /** {@code java -jar gateway.jar verify <data-dir>}, timed from spawn to exit. */
  private void verify(Map<String, Object> f) throws IOException, InterruptedException {
    System.err.println("verify " + setup.dataDir());
    OfflineVerify.Verified verified = OfflineVerify.run(setup, VERIFY_TIMEOUT);
    f.put("verifySeconds", ScaleReport.round(verified.seconds()));
    f.put("verifyExit", verified.exit());
    f.put("verifyOutput", verified.lastLine());
  }

  /** A fresh start with the gateway's defaults: start-up, log, heap, then the searches. */
  private void measure(long size, Map<String, Object> f) throws Exception {
    Path log = workDir.resolve("logs/measure-" + size + ".log");
    f.put("loadAverageBeforeMeasure", loadAverage());
    try (ScaleGateway gateway = ScaleGateway.start(setup, log, List.of())) {
      ScaleGateway.Ready ready = gateway.awaitReady(START_TIMEOUT);
      f.put("startupSeconds", ScaleReport.round(ready.seconds()));
      f.put("firstMetadataCallSeconds", ScaleReport.round(ready.lastCallSeconds()));
      ScaleGateway.StartLog start = gateway.startLog();
      f.put("ledgerEntries", start.entries());
      f.put("ledgerVersions", start.versions());
      f.put("ledgerOpenedAtSeconds", start.ledgerOpenedAt());
      f.put("ledgerSpanSeconds", start.ledgerSpan());
      f.put("ledgerSpanFrom", start.spanFrom());
      f.put("springStartedSeconds", start.springStarted());
      f.put("springProcessRunningSeconds", start.springProcessRunning());
      ScaleGateway.Memory memory = gateway.memoryAfterFullGc();
      f.put("heapUsedBytes", memory.heapUsed());
      f.put("heapCommittedBytes", memory.heapCommitted());
      f.put("rssBytes", memory.rss());
      ServerCpu cpu = ServerCpu.of(gateway.pid());
      FhirHttp http = gateway.demoEhr();
      searchFreshPatient(http, cpu, f);
      searchTypeWide(http, cpu, f);
      f.put("heapUsedAfterSearchBytes", gateway.memoryAfterFullGc().heapUsed());
      f.put("loadAverageAfterMeasure", loadAverage());
      gateway.stop();
    }
  }

  /** Searches a patient never searched before, so it has exactly its written resources. */
  private void searchFreshPatient(FhirHttp http, ServerCpu cpu, Map<String, Object> f)
      throws Exception {
    Map.Entry<Integer, String> patient = state.unsearchedPatient();
    if (patient == null) {
      throw new IllegalStateException(
          "every patient in " + workDir + " was searched already: grow the ledger further");
    }
    f.put("searchPatientNumber", patient.getKey());
    f.put("searchPatientResources", state.perPatient());
    String category = options.getOrDefault("category", "laboratory");
    state.searched(patient.getKey());
    ScaleSearch.patientCategory(http, patient.getValue(), category, cpu)
        .measure(intOption("warmup", 5), intOption("repeat", 50), f);
  }

  /**
   * The type-wide search, after the patient one: its pages' patients get AuditEvents, so they are
   * marked searched and no later size picks them for the patient search.
   */
  private void searchTypeWide(FhirHttp http, ServerCpu cpu, Map<String, Object> f)
      throws Exception {
    ScaleSearch search =
        ScaleSearch.typeWide(http, options.getOrDefault("type-code", DEFAULT_TYPE_CODE), cpu);
    search.measure(intOption("warmup", 5), intOption("repeat", 50), f);
    f.put("searchTypePatients", search.subjects().size());
    state.searchedByReference(search.subjects());
  }

  private List<Long> sizes() {
    List<Long> sizes =
        Arrays.stream(options.getOrDefault("sizes", "10000,100000,1000000").split(","))
            .map(s -> Long.parseLong(s.strip().replace("_", "")))
            .toList();
    for (int i = 1; i < sizes.size(); i++) {
      if (sizes.get(i) <= sizes.get(i - 1)) {
        throw new IllegalArgumentException("--sizes must be ascending: " + sizes);
      }
    }
    return sizes;
  }

  private int intOption(String name, int fallback) {
    return options.containsKey(name) ? Integer.parseInt(options.get(name)) : fallback;
  }

  /** The 1-minute load average (Linux), so that figures from a busy machine can be told apart. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path p : files.toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || args[i].equals("--help") || i + 1 >= args.length) {
        return null;
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options.containsKey("gateway-jar") && options.containsKey("work-dir") ? options : null;
  }
}
