package org.healthgateway.bench;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Drives a named workload against any FHIR R4 base URL and reports per phase operations,
 * throughput, latency p50/p95/p99 and errors (stdout, and JSON with {@code --json}); progress goes
 * to stderr. Usage: {@code java -cp benchmarks.jar org.healthgateway.bench.LoadDriver --help}.
 */
public final class LoadDriver {

  static final String USAGE =
      """
      LoadDriver --base http://host:port/fhir [auth] [options]
        auth (optional; none = anonymous, to measure any FHIR server):
          --token TOKEN                         a bearer token
          --token-url URL --client-id ID --client-secret SECRET
                                                client_credentials with HTTP Basic
        --data DIR           Synthea bundles (default ../shared/data/synthea)
        --concurrency N      concurrent requests (default 4)
        --phases LIST        load,read,search,everything,consent (default the first four)
        --repeat R           rounds of the search and $everything queries, and of the consent
                             flow (default 5)
        --ids FILE           created Type/id list: written by load, read when load is not run
        --server-pid N       the server's process (its JVM, on this machine): each phase reports
                             the server's CPU ms per operation, from /proc/N/stat
        --json FILE          also write the figures as JSON
      compare (the same phases, but consent, against a second FHIR server, after the first):
        --compare URL        its FHIR base URL (anonymous unless --compare-token)
        --compare-token T    a bearer token for it (e.g. a second gateway build)
        --compare-pid N      its process, for its CPU ms per operation
        --compare-ids FILE   as --ids, for the second server
      consent (the health gateway only, not any FHIR server; its own demo-client tokens, the
      auth options above are not used for it; the token endpoint is --token-url if given, else
      <base without /fhir>/oauth2/token):
        --demo-clients FILE  the gateway's <secrets-dir>/demo-clients.json (required)
        --consent-versions N resource versions each consent covers and releases (default 1000)
        --consent-bundle N   Observations per transaction Bundle in consent-setup (default 100)
        --consent-patient ID demo client of the wallet patient (default demo-patient-p)
        --consent-actor ID   the practitioner who asks and reads (default demo-practitioner-b)
        --consent-writer ID  the practitioner who writes the data (default demo-practitioner-a)
      """;

  private final Map<String, String> options;
  private final int concurrency;
  private final int repeat;

  private LoadDriver(Map<String, String> options) {
    this.options = options;
    this.concurrency = Integer.parseInt(options.getOrDefault("concurrency", "4"));
    this.repeat = Integer.parseInt(options.getOrDefault("repeat", "5"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    if (options == null) {
      System.err.print(USAGE);
      System.exit(2);
    }
    System.exit(new LoadDriver(options).run());
  }

  private int run() throws Exception {
    List<String> phases =
        Arrays.asList(options.getOrDefault("phases", "load,read,search,everything").split(",", -1));
    DriverPhases.Target gateway =
        new DriverPhases.Target(
            "gateway",
            new FhirHttp(
                required(options, "base"),
                options.get("token"),
                options.get("token-url"),
                options.get("client-id"),
                options.get("client-secret")),
            serverCpu("server-pid"),
            path("ids"));
    DriverPhases.Target other =
        options.containsKey("compare")
            ? new DriverPhases.Target(
                "other",
                new FhirHttp(
                    options.get("compare"), options.get("compare-token"), null, null, null),
                serverCpu("compare-pid"),
                path("compare-ids"))
            : null;
    SearchTerms terms = phases.contains("search") ? SearchTerms.scan(dataDir()) : null;
    Instant started = Instant.now();
    List<PhaseStats> gatewayPhases = phasesOf(gateway, phases, terms);
    if (phases.contains("consent")) {
      consentFlow(gateway.http(), gateway.cpu()).run(gatewayPhases);
    }
    DriverReport.Run first = new DriverReport.Run(gateway, gatewayPhases);
    DriverReport.Run second =
        other == null ? null : new DriverReport.Run(other, phasesOf(other, phases, terms));
    return report(started, phases, first, second);
  }

  /** Prints (and with --json writes) the figures; returns the exit status, 1 on any error. */
  private int report(
      Instant started, List<String> phases, DriverReport.Run first, DriverReport.Run second)
      throws IOException {
    DriverReport report = new DriverReport(started, concurrency, repeat);
    report.print(System.out, first);
    if (second != null) {
      report.print(System.out, second);
      DriverReport.printComparison(System.out, first, second);
    }
    if (options.containsKey("json")) {
      report.writeJson(Path.of(options.get("json")), first, second, consentOptions(phases));
    }
    DriverReport.printErrors(System.out, first);
    boolean errors = hasErrors(first);
    if (second != null) {
      DriverReport.printErrors(System.out, second);
      errors |= hasErrors(second);
    }
    return errors ? 1 : 0;
  }

  private List<PhaseStats> phasesOf(
      DriverPhases.Target target, List<String> phases, SearchTerms terms) throws Exception {
    System.err.println("== " + target.label() + ": " + target.http().base());
    return new DriverPhases(target, dataDir(), concurrency, repeat).run(phases, terms);
  }

  private static boolean hasErrors(DriverReport.Run run) {
    return run.phases().stream().anyMatch(p -> p.errors() > 0);
  }

  /** The process of {@code --<option>}, or none when the option is not given. */
  private ServerCpu serverCpu(String option) throws IOException {
    return options.containsKey(option)
        ? ServerCpu.of(Long.parseLong(options.get(option)))
        : ServerCpu.NONE;
  }

  private Path path(String option) {
    return options.containsKey(option) ? Path.of(options.get(option)) : null;
  }

  private Map<String, Object> consentOptions(List<String> phases) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (phases.contains("consent")) {
      m.put("consentVersions", consentVersions());
      m.put("consentBundle", consentBundle());
    }
    return m;
  }

  private ConsentFlow consentFlow(FhirHttp http, ServerCpu cpu) throws IOException {
    String clientsFile = options.get("demo-clients");
    if (clientsFile == null) {
      throw new IllegalArgumentException(
          "--phases consent needs --demo-clients <gateway secrets-dir>/demo-clients.json");
    }
    ConsentClients clients =
        ConsentClients.load(
            Path.of(clientsFile),
            http.base(),
            options.get("token-url"),
            options.getOrDefault("consent-patient", "demo-patient-p"),
            options.getOrDefault("consent-actor", "demo-practitioner-b"),
            options.getOrDefault("consent-writer", "demo-practitioner-a"));
    return new ConsentFlow(clients, consentVersions(), consentBundle(), concurrency, repeat, cpu);
  }

  private int consentVersions() {
    return Integer.parseInt(options.getOrDefault("consent-versions", "1000"));
  }

  private int consentBundle() {
    return Integer.parseInt(options.getOrDefault("consent-bundle", "100"));
  }

  private Path dataDir() {
    return Path.of(options.getOrDefault("data", "../shared/data/synthea"));
  }

  static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || args[i].equals("--help") || i + 1 >= args.length) {
        return null;
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options.containsKey("base") ? options : null;
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return value;
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  @FunctionalInterface
  interface Request {
    HttpResponse<byte[]> send(String item) throws IOException, InterruptedException;
  }
}
