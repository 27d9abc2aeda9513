package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway under test as a child process: {@code java [jvm args] -jar gateway.jar} on its own
 * port, data and secrets directories, stdout and stderr to a log file. Knows how to wait for it,
 * read its start-up log, force a GC and read the heap ({@code jcmd}), stop it with SIGTERM or kill
 * it with SIGKILL.
 */
final class ScaleGateway implements AutoCloseable {

  /** Where the gateway lives and how its JVM is started. */
  record Setup(Path jar, Path dataDir, Path secretsDir, int port, List<String> jvmArgs) {}

  /** What the start-up log says; seconds are counted from the spawn of the process. */
  record StartLog(
      long entries,
      long versions,
      double ledgerOpenedAt,
      double ledgerSpan,
      String spanFrom,
      double springStarted,
      double springProcessRunning) {}

  /**
   * Seconds from the spawn to the first 200 of {@code /fhir/metadata}, and how long that one call
   * took (HAPI builds its CapabilityStatement on the first call).
   */
  record Ready(double seconds, double lastCallSeconds) {}

  /** Heap after a full GC (used, committed) and the resident set size, in bytes. */
  record Memory(long heapUsed, long heapCommitted, long rss) {}

  private static final Pattern LOG_LINE =
      Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\S+Z)\\s+\\S+ .*? : (.*)$");
  private static final Pattern LEDGER_OPENED =
      Pattern.compile("ledger opened: (\\d+) entries, (\\d+) resource versions");
  private static final Pattern SPRING_STARTED =
      Pattern.compile("Started \\S+ in ([\\d.]+) seconds \\(process running for ([\\d.]+)\\)");
  private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);

  private final Setup setup;
  private final Path log;
  private final Process process;
  private final Instant spawned;
  private final long spawnedNanos;

  private ScaleGateway(Setup setup, Path log, Process process, Instant spawned, long nanos) {
    this.setup = setup;
    this.log = log;
    this.process = process;
    this.spawned = spawned;
    this.spawnedNanos = nanos;
  }

  /** Spawns the gateway; {@code appArgs} are extra Spring arguments such as {@code --a=b}. */
  static ScaleGateway start(Setup setup, Path log, List<String> appArgs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaTool("java"));
    command.addAll(setup.jvmArgs());
    command.addAll(List.of("-jar", setup.jar().toString()));
    command.add("--server.port=" + setup.port());
    command.add("--gateway.data-dir=" + setup.dataDir());
    command.add("--gateway.secrets-dir=" + setup.secretsDir());
    command.addAll(appArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Instant spawned = Instant.now();
    long nanos = System.nanoTime();
    return new ScaleGateway(setup, log, builder.start(), spawned, nanos);
  }

  long pid() {
    return process.pid();
  }

  /** Loopback by address, not by name: the driver never talks to anything but 127.0.0.1. */
  String baseUrl() {
    return "http://127.0.0.1:" + setup.port();
  }

  /** The executable of the process, to show that it is the JVM itself and not a wrapper. */
  String command() {
    return process.info().command().orElse("?");
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Polls {@code GET /fhir/metadata} every 50 ms until it answers 200.
   *
   * @return when it first answered 200, counted from the spawn
   */
  Ready awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/fhir/metadata"))
            .timeout(Duration.ofSeconds(30))
            .build();
    long deadline = spawnedNanos + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("gateway exited with " + process.exitValue() + "; see " + log);
      }
      long t0 = System.nanoTime();
      try {
        if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          long now = System.nanoTime();
          return new Ready((now - spawnedNanos) / 1e9, (now - t0) / 1e9);
        }
      } catch (IOException notYet) {
        // Connection refused until Tomcat listens.
      }
      Thread.sleep(50);
    }
    throw new IOException("gateway not ready after " + timeout + "; see " + log);
  }

  /** Reads the start-up log, waiting up to 10 s for Spring's "Started" line. */
  StartLog startLog() throws IOException, InterruptedException {
    for (int i = 0; i < 100 && !Files.readString(log, UTF_8).contains("Started "); i++) {
      Thread.sleep(100);
    }
    List<LogLine> lines = logLines();
    double started = Double.NaN;
    double running = Double.NaN;
    for (LogLine line : lines) {
      Matcher spring = SPRING_STARTED.matcher(line.message());
      if (spring.find()) {
        started = Double.parseDouble(spring.group(1));
        running = Double.parseDouble(spring.group(2));
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      Matcher opened = LEDGER_OPENED.matcher(lines.get(i).message());
      if (opened.find()) {
        Instant at = lines.get(i).at();
        LogLine before = i > 0 ? lines.get(i - 1) : new LogLine(spawned, "process spawn");
        return new StartLog(
            Long.parseLong(opened.group(1)),
            Long.parseLong(opened.group(2)),
            seconds(spawned, at),
            seconds(before.at(), at),
            before.message(),
            started,
            running);
      }
    }
    throw new IOException("no 'ledger opened' line in " + log);
  }

  private record LogLine(Instant at, String message) {}

  /** The log's lines that start with Spring Boot's default timestamp, in order. */
  private List<LogLine> logLines() throws IOException {
    List<LogLine> lines = new ArrayList<>();
    for (String line : Files.readAllLines(log, UTF_8)) {
      Matcher m = LOG_LINE.matcher(line);
      if (m.matches()) {
        lines.add(new LogLine(Instant.parse(m.group(1)), m.group(2)));
      }
    }
    return lines;
  }

  /** {@code jcmd GC.run}, then {@code GC.heap_info}; plus VmRSS from /proc. */
  Memory memoryAfterFullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    Matcher m = HEAP.matcher(jcmd("GC.heap_info"));
    if (!m.find()) {
      throw new IOException("cannot read jcmd GC.heap_info of " + pid());
    }
    long rss = 0;
    Path status = Path.of("/proc/" + pid() + "/status");
    if (Files.exists(status)) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    }
    return new Memory(Long.parseLong(m.group(2)) * 1024, Long.parseLong(m.group(1)) * 1024, rss);
  }

  /** The client the run writes and searches with: demo-ehr, client_credentials. */
  FhirHttp demoEhr() throws IOException, InterruptedException {
    return client("demo-ehr");
  }

  /**
   * A demo client of {@code <secrets-dir>/demo-clients.json} with a fresh client_credentials token.
   */
  FhirHttp client(String clientId) throws IOException, InterruptedException {
    JsonNode clients =
        FhirHttp.json().readTree(setup.secretsDir().resolve("demo-clients.json").toFile());
    for (JsonNode c : clients.path("clients")) {
      if (c.path("clientId").asText().equals(clientId)) {
        FhirHttp http =
            new FhirHttp(
                baseUrl() + "/fhir",
                null,
                baseUrl() + "/oauth2/token",
                clientId,
                c.path("clientSecret").asText());
        http.authenticate();
        return http;
      }
    }
    throw new IOException("no " + clientId + " client in " + setup.secretsDir());
  }

  /**
   * SIGTERM and wait for a graceful exit (SIGKILL after three minutes).
   *
   * @return seconds until the process had exited
   */
  double stop() throws InterruptedException {
    long t0 = System.nanoTime();
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      System.err.println("gateway " + pid() + " ignored SIGTERM for " + STOP_TIMEOUT + ", killing");
      process.destroyForcibly().waitFor();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * SIGKILL ({@link Process#destroyForcibly()} on the JVM's own process, not a shell), as a power
   * cut would stop it, and waits for it to be gone.
   *
   * @return the exit value: 137 (128 + 9) when the kill did it
   */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("gateway " + pid() + " still alive after SIGKILL");
    }
    return process.exitValue();
  }

  /** Stops the gateway if it runs; interrupted while waiting, kills it and keeps the interrupt. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(javaTool("jcmd"), Long.toString(pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  /** A tool of the JDK running this program, or the one on the PATH. */
  static String javaTool(String name) {
    Path tool = Path.of(System.getProperty("java.home"), "bin", name);
    return Files.isExecutable(tool) ? tool.toString() : name;
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** A port free on 127.0.0.1 now. */
  static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * On exit or Ctrl-C: SIGTERM to every child (gateway, verify), SIGKILL to any left after 30 s.
   */
  static void stopChildren() {
    List<ProcessHandle> children = ProcessHandle.current().children().toList();
    children.forEach(ProcessHandle::destroy);
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
  }
}
