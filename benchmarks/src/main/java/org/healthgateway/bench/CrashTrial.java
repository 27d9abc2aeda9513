package org.healthgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Issue 9's crash trials: rounds of a write burst from several clients, {@code kill -9} of the
 * gateway's JVM at a seeded random moment, offline {@code verify} of the directory the crash left,
 * a restart, and a read-back of acknowledged writes. Usage: {@code java -cp benchmarks.jar
 * org.healthgateway.bench.CrashTrial --help}; what a round does is in benchmarks/README.md.
 */
public final class CrashTrial {

  static final String USAGE =
      """
      CrashTrial --gateway-jar FILE --work-dir DIR [options]
        --rounds N           crash rounds (default 100)
        --clients C          concurrent writing clients, also the read-back concurrency (default 4)
        --seed S             seed of the kill moments and the write mix (default 1)
        --min-kill-ms MS     earliest kill, from the start of the burst (default 500)
        --max-kill-ms MS     latest kill (default 5000)
        --sample N           earlier rounds' acknowledged versions read back per round (default 500)
        --round-timeout-s S  a round that takes longer stops the trial (default 600)
        --port N             gateway port on 127.0.0.1 (default: a free one, kept for the run)
        --jvm-args "ARGS"    JVM options of the gateway and of verify, space-separated
        --gateway-args "ARGS" Spring arguments of the gateway, space-separated
                             (default "--gateway.validation=false", see benchmarks/README.md)
        --json FILE          the figures as JSON, rewritten after every round
      The work dir must not hold data/ yet: the first start creates a fresh demo node there
      (data/, secrets/), logs go to logs/, and evidence/ keeps copies of a data dir that failed.
      Exit code 0 only if no acknowledged write was lost, every verify passed and every start
      succeeded.
      """;

  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WRITERS_GONE = Duration.ofSeconds(60);
  private static final List<String> WRITERS = List.of("demo-practitioner-a", "demo-practitioner-b");
  private static final String READER = "demo-patient-p";

  private final Map<String, String> options;
  private final Path workDir;
  private final ScaleGateway.Setup setup;
  private final CrashReport report;
  private final int clients;
  private final List<CrashWrites.Ack> acknowledged = new ArrayList<>();
  private final List<List<CrashWrites.Ack>> owned = new ArrayList<>();
  private final List<String> gatewayArgs = new ArrayList<>(List.of("--server.address=127.0.0.1"));
  private ScaleGateway gateway;

  private CrashTrial(Map<String, String> options) throws IOException {
    this.options = options;
    this.workDir = Path.of(options.get("work-dir")).toAbsolutePath();
    this.clients = intOption("clients", 4);
    List<String> jvmArgs = words(options.getOrDefault("jvm-args", ""));
    gatewayArgs.addAll(words(options.getOrDefault("gateway-args", "--gateway.validation=false")));
    int port = options.containsKey("port") ? intOption("port", 0) : ScaleGateway.freeLoopbackPort();
    this.setup =
        new ScaleGateway.Setup(
            Path.of(options.get("gateway-jar")).toAbsolutePath(),
            workDir.resolve("data"),
            workDir.resolve("secrets"),
            port,
            jvmArgs);
    this.report = new CrashReport(options, setup, workDir);
    for (int c = 0; c < clients; c++) {
      owned.add(new ArrayList<>());
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = ScaleRun.parse(args);
    if (options == null) {
      System.err.print(USAGE);
      System.exit(2);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(ScaleGateway::stopChildren));
    System.exit(new CrashTrial(options).run());
  }

  private int run() throws Exception {
    if (Files.exists(setup.dataDir())) {
      System.err.println(setup.dataDir() + " exists: the trial needs a fresh node (new work dir)");
      return 2;
    }
    Files.createDirectories(workDir.resolve("logs"));
    int rounds = intOption("rounds", 100);
    try {
      gateway = start("start-000", new LinkedHashMap<>());
      awaitDemoClients();
      for (int r = 1; r <= rounds && !report.aborted(); r++) {
        round(r);
        writeJson();
      }
      finalCheck();
    } catch (RuntimeException | IOException e) {
      report.abort("trial stopped: " + e);
      e.printStackTrace();
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
    writeJson();
    System.out.println(report.summaryLine());
    return report.passed() ? 0 : 1;
  }

  private void round(int r) throws Exception {
    long t0 = System.nanoTime();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("round", r);
    f.put("loadAverage", ScaleRun.loadAverage());
    SplittableRandom random = new SplittableRandom(seed() * 1_000_003L + r);
    long minKill = intOption("min-kill-ms", 500);
    long killAfter = minKill + random.nextLong(intOption("max-kill-ms", 5000) - minKill + 1);
    List<CrashWrites.Ack> acks = burstAndKill(r, killAfter, random.nextLong(), f);
    List<CrashWrites.Ack> earlier = List.copyOf(acknowledged);
    acknowledged.addAll(acks);

    OfflineVerify.Verified crashed = OfflineVerify.run(setup, VERIFY_TIMEOUT);
    String verdict = CrashReport.verdict(crashed);
    f.put("verifyCrashed", CrashReport.verified(crashed, verdict));
    if (verdict.equals("failed")) {
      report.verifyFailed(r, "after the kill: " + crashed.lastLine());
      keepEvidence("round-" + r + "-crashed");
    }

    gateway = start(String.format("round-%03d", r), f);
    if (gateway == null) {
      report.round(f, verdict, acks.size(), null);
      return;
    }
    List<CrashWrites.Ack> check = new ArrayList<>(acks);
    check.addAll(CrashReadBack.sample(earlier, intOption("sample", 500), random));
    CrashReadBack.Result read = readBack("read-back " + r, check);
    f.put("readBack", CrashReport.readBack(read, acks.size()));
    if (verdict.equals("torn")) {
      verifyRecovered(r, f);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    f.put("seconds", ScaleReport.round(seconds));
    report.round(f, verdict, acks.size(), read);
    System.out.println(CrashReport.roundLine(f, intOption("rounds", 100)));
    if (seconds > intOption("round-timeout-s", 600)) {
      report.abort("round " + r + " took " + Math.round(seconds) + " s, over --round-timeout-s");
    }
  }

  /** The burst: clients write, the JVM is killed after {@code killAfterMs}, the clients stop. */
  private List<CrashWrites.Ack> burstAndKill(
      int r, long killAfterMs, long writeSeed, Map<String, Object> f) throws Exception {
    List<FhirHttp> writers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      writers.add(gateway.client(WRITERS.get(c % WRITERS.size())));
    }
    CrashWrites writes = new CrashWrites(r, patientRef(), owned);
    long t0 = System.nanoTime();
    writes.start(writers, writeSeed);
    if (!writes.burst(START_TIMEOUT)) {
      report.abort("round " + r + ": the clients' warm-up writes took over " + START_TIMEOUT);
    }
    f.put("warmUpSeconds", ScaleReport.round((System.nanoTime() - t0) / 1e9));
    Thread.sleep(killAfterMs);
    writes.killing();
    f.put("killAfterMs", killAfterMs);
    f.put("killedPid", gateway.pid());
    f.put("killedCommand", gateway.command());
    int exit = gateway.kill();
    f.put("killExit", exit);
    if (exit != 137) {
      report.abort("round " + r + ": the gateway exited with " + exit + ", not 137 (SIGKILL)");
    }
    writes.await(WRITERS_GONE);
    List<CrashWrites.Ack> acks = writes.acks();
    f.put("acknowledged", acks.size());
    f.put("acknowledgedByKind", CrashReport.byKind(acks));
    f.put("unexpectedBeforeKill", writes.unexpected());
    f.put("unexpectedSamples", writes.problems());
    report.unexpected(writes.unexpected(), writes.problems());
    return acks;
  }

  /**
   * The crash left a torn tail, which {@code verify} reports and the restart cut: stop the gateway
   * gracefully and verify the recovered ledger too, then start it again for the next round.
   */
  private void verifyRecovered(int r, Map<String, Object> f) throws Exception {
    gateway.stop();
    OfflineVerify.Verified recovered = OfflineVerify.run(setup, VERIFY_TIMEOUT);
    f.put("verifyRecovered", CrashReport.verified(recovered, CrashReport.verdict(recovered)));
    if (recovered.exit() != 0) {
      report.verifyFailed(r, "after recovery: " + recovered.lastLine());
      keepEvidence("round-" + r + "-recovered");
    }
    gateway = start(String.format("round-%03d-after-verify", r), new LinkedHashMap<>());
  }

  /** Every acknowledged version of the run, then a graceful stop and a verify that must pass. */
  private void finalCheck() throws Exception {
    if (gateway == null || !gateway.isAlive()) {
      return;
    }
    Map<String, Object> f = new LinkedHashMap<>();
    CrashReadBack.Result read = readBack("final read-back", List.copyOf(acknowledged));
    f.put("readBack", CrashReport.readBack(read, 0));
    gateway.stop();
    OfflineVerify.Verified verified = OfflineVerify.run(setup, VERIFY_TIMEOUT);
    f.put("verify", CrashReport.verified(verified, CrashReport.verdict(verified)));
    if (verified.exit() != 0) {
      report.verifyFailed(0, "final, after a graceful stop: " + verified.lastLine());
      keepEvidence("final");
    }
    report.finalCheck(f, read);
  }

  private CrashReadBack.Result readBack(String phase, List<CrashWrites.Ack> check)
      throws Exception {
    FhirHttp reader = gateway.client(READER).requestTimeout(REQUEST_TIMEOUT);
    CrashReadBack.Result read = CrashReadBack.check(phase, reader, check, clients);
    if (!read.lost().isEmpty()) {
      read.samples().forEach(s -> System.err.println("LOST " + s));
      keepEvidence(phase.replace(' ', '-'));
    }
    return read;
  }

  /**
   * Starts the gateway and waits for {@code /fhir/metadata}; a failed start is counted, its data
   * dir kept, and tried once more. Returns null (and aborts the trial) if both fail.
   */
  private ScaleGateway start(String label, Map<String, Object> f) throws Exception {
    for (int attempt = 1; attempt <= 2; attempt++) {
      Path log = workDir.resolve("logs/" + label + (attempt > 1 ? "-retry" : "") + ".log");
      ScaleGateway started = ScaleGateway.start(setup, log, List.of("--server.address=127.0.0.1"));
      try {
        f.put("startSeconds", ScaleReport.round(started.awaitReady(START_TIMEOUT).seconds()));
        f.put("recoveryLog", CrashReport.recoveryLines(log));
        return started;
      } catch (IOException e) {
        if (started.isAlive()) {
          started.kill();
        }
        report.startFailed(label + ": " + e.getMessage());
        keepEvidence(label + "-start-" + attempt);
      }
    }
    report.abort(label + ": the gateway did not start, twice");
    return null;
  }

  private void awaitDemoClients() throws InterruptedException, IOException {
    Path file = setup.secretsDir().resolve("demo-clients.json");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!Files.isRegularFile(file)) {
      if (System.nanoTime() > deadline) {
        throw new IOException("no " + file + " after " + START_TIMEOUT);
      }
      Thread.sleep(250);
    }
    // Demo users come after the web server; one token shows they are registered.
    gateway.client(READER);
  }

  private String patientRef() {
    return "Patient/" + READER;
  }

  /** Copies the data dir (not the secrets) and the logs under {@code evidence/<name>}. */
  private void keepEvidence(String name) {
    Path target = workDir.resolve("evidence").resolve(name);
    try {
      CrashReport.copyTree(setup.dataDir(), target.resolve("data"));
      CrashReport.copyTree(workDir.resolve("logs"), target.resolve("logs"));
      System.err.println("evidence kept in " + target);
    } catch (IOException e) {
      System.err.println("could not keep evidence in " + target + ": " + e);
    }
  }

  private void writeJson() throws IOException {
    if (options.containsKey("json")) {
      report.writeJson(Path.of(options.get("json")));
    }
  }

  private long seed() {
    return Long.parseLong(options.getOrDefault("seed", "1"));
  }

  private int intOption(String name, int fallback) {
    return options.containsKey(name) ? Integer.parseInt(options.get(name)) : fallback;
  }

  private static List<String> words(String s) {
    return Arrays.stream(s.split(" ")).filter(w -> !w.isBlank()).toList();
  }
}
