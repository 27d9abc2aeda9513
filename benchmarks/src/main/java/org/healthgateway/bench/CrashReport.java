package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The crash trial's figures: totals over the rounds, each round's details, the final read-back and
 * verify; as a summary line, one line per round, and JSON. Decides whether the trial passed.
 */
final class CrashReport {

  private static final int MAX_MESSAGES = 20;

  private final Map<String, Object> header = new LinkedHashMap<>();
  private final List<Map<String, Object>> rounds = new ArrayList<>();
  private final Set<String> lost = new LinkedHashSet<>();
  private final List<String> verifyFailures = new ArrayList<>();
  private final List<String> startFailures = new ArrayList<>();
  private final List<String> unexpectedSamples = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private Map<String, Object> finalCheck;
  private long acknowledged;
  private long reads;
  private long tornTails;
  private long emptyRounds;
  private long verifyFailureCount;
  private long startFailureCount;
  private long unexpected;
  private long finalChecked = -1;
  private String aborted;

  CrashReport(Map<String, String> options, ScaleGateway.Setup setup, Path workDir) {
    header.put("startedAt", Instant.now().toString());
    header.put("gatewayJar", setup.jar().toString());
    try {
      header.put("gatewayJarSha256", ScaleRun.sha256(setup.jar()));
    } catch (Exception e) {
      header.put("gatewayJarSha256", "unreadable: " + e);
    }
    header.put("workDir", workDir.toString());
    header.put("port", setup.port());
    header.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    header.put("options", new LinkedHashMap<>(options));
  }

  /** {@code ok}, {@code torn} (a torn tail, which recovery cuts by design) or {@code failed}. */
  static String verdict(OfflineVerify.Verified verified) {
    if (verified.exit() == 0) {
      return "ok";
    }
    String line = verified.lastLine();
    boolean torn =
        verified.exit() == 1
            && (line.contains(": torn tail at entry")
                || line.endsWith(": torn last line in checkpoints.log"));
    return torn ? "torn" : "failed";
  }

  static Map<String, Object> verified(OfflineVerify.Verified verified, String verdict) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verdict", verdict);
    m.put("exit", verified.exit());
    m.put("output", verified.lastLine());
    m.put("seconds", ScaleReport.round(verified.seconds()));
    return m;
  }

  static Map<String, Object> readBack(CrashReadBack.Result read, int ofThisRound) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("checked", read.checked());
    m.put("ofThisRound", ofThisRound);
    m.put("ofEarlierRounds", read.checked() - ofThisRound);
    m.put("lost", read.lost().size());
    m.put("lostSamples", read.samples());
    m.put("seconds", ScaleReport.round(read.stats().seconds()));
    m.put("latencyMsP50", read.stats().toMap().get("latencyMsP50"));
    return m;
  }

  static Map<String, Integer> byKind(List<CrashWrites.Ack> acks) {
    Map<String, Integer> kinds = new TreeMap<>();
    for (CrashWrites.Ack ack : acks) {
      kinds.merge(ack.kind() + " " + ack.type(), 1, Integer::sum);
    }
    return kinds;
  }

  /** The gateway's own words on what it found at start: entries, and any torn tail it cut. */
  static List<String> recoveryLines(Path log) throws IOException {
    List<String> found = new ArrayList<>();
    for (String line : Files.readAllLines(log, UTF_8)) {
      if (line.contains("ledger opened:") || line.contains("torn")) {
        int message = line.indexOf(" : ");
        found.add(message >= 0 ? line.substring(message + 3) : line);
      }
    }
    return found;
  }

  void round(Map<String, Object> f, String verdict, int acks, CrashReadBack.Result read) {
    rounds.add(f);
    acknowledged += acks;
    tornTails += verdict.equals("torn") ? 1 : 0;
    emptyRounds += acks == 0 ? 1 : 0;
    if (read != null) {
      reads += read.checked();
      read.lost().forEach(ack -> lost.add(ack.versionPath()));
    }
  }

  void finalCheck(Map<String, Object> f, CrashReadBack.Result read) {
    finalCheck = f;
    reads += read.checked();
    finalChecked = read.checked();
    read.lost().forEach(ack -> lost.add(ack.versionPath()));
  }

  void verifyFailed(int round, String message) {
    verifyFailureCount++;
    add(verifyFailures, (round > 0 ? "round " + round + " " : "") + message);
  }

  void startFailed(String message) {
    startFailureCount++;
    add(startFailures, message);
  }

  void unexpected(int count, List<String> samples) {
    unexpected += count;
    samples.forEach(s -> add(unexpectedSamples, s));
  }

  void abort(String reason) {
    if (aborted == null) {
      aborted = reason;
      System.err.println("ABORT: " + reason);
    }
  }

  boolean aborted() {
    return aborted != null;
  }

  /**
   * Writes were acknowledged, none was lost, every verify and start passed, and the final read-back
   * covered every write.
   */
  boolean passed() {
    return acknowledged > 0
        && lost.isEmpty()
        && verifyFailureCount == 0
        && startFailureCount == 0
        && aborted == null
        && finalChecked == acknowledged;
  }

  String summaryLine() {
    return String.format(
        "crash trial %s: %d rounds, %,d acknowledged writes, %s (%,d reads in all), %d lost,"
            + " %d verify failures (%d torn tails cut by the restart), %d start-up failures,"
            + " %d unexpected answers before a kill, %.0f s%s",
        passed() ? "PASSED" : "FAILED",
        rounds.size(),
        acknowledged,
        finalChecked == acknowledged
            ? "every one read back after the last restart"
            : "final read-back of " + finalChecked,
        reads,
        lost.size(),
        verifyFailureCount,
        tornTails,
        startFailureCount,
        unexpected,
        seconds(),
        aborted == null ? "" : "; stopped early: " + aborted);
  }

  static String roundLine(Map<String, Object> f, int rounds) {
    @SuppressWarnings("unchecked")
    Map<String, Object> verify = (Map<String, Object>) f.get("verifyCrashed");
    @SuppressWarnings("unchecked")
    Map<String, Object> read = (Map<String, Object>) f.getOrDefault("readBack", Map.of());
    return String.format(
        "round %s/%d: warm-up %s s, killed %s ms later (exit %s), %s acknowledged, verify %s, restart %s s,"
            + " read back %s of this round + %s earlier, %s lost, %s s",
        f.get("round"),
        rounds,
        f.get("warmUpSeconds"),
        f.get("killAfterMs"),
        f.get("killExit"),
        f.get("acknowledged"),
        verify.get("verdict"),
        f.get("startSeconds"),
        read.get("ofThisRound"),
        read.get("ofEarlierRounds"),
        read.get("lost"),
        f.get("seconds"));
  }

  void writeJson(Path file) throws IOException {
    Map<String, Object> all = new LinkedHashMap<>(header);
    all.put("updatedAt", Instant.now().toString());
    all.put("durationSeconds", ScaleReport.round(seconds()));
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("passed", passed());
    totals.put("rounds", rounds.size());
    totals.put("acknowledgedWrites", acknowledged);
    totals.put("finalReadBackChecked", finalChecked);
    totals.put("readsInAll", reads);
    totals.put("lost", lost.size());
    totals.put("lostVersions", List.copyOf(lost).subList(0, Math.min(lost.size(), MAX_MESSAGES)));
    totals.put("verifyFailures", verifyFailureCount);
    totals.put("verifyFailureMessages", verifyFailures);
    totals.put("tornTails", tornTails);
    totals.put("roundsWithoutAcknowledgedWrites", emptyRounds);
    totals.put("startupFailures", startFailureCount);
    totals.put("startupFailureMessages", startFailures);
    totals.put("unexpectedBeforeKill", unexpected);
    totals.put("unexpectedSamples", unexpectedSamples);
    totals.put("aborted", aborted);
    all.put("totals", totals);
    all.put("final", finalCheck);
    all.put("rounds", rounds);
    FhirHttp.json().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), all);
  }

  /** Copies a directory tree (files and folders only). */
  static void copyTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void add(List<String> list, String message) {
    if (list.size() < MAX_MESSAGES) {
      list.add(message);
    }
  }
}
