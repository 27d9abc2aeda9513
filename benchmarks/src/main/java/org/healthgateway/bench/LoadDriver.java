package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
        --json FILE          also write the figures as JSON
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
  private final FhirHttp http;
  private final int concurrency;
  private final int repeat;
  private final List<PhaseStats> results = new ArrayList<>();
  private List<String> created = new ArrayList<>();

  private LoadDriver(Map<String, String> options) {
    this.options = options;
    this.concurrency = Integer.parseInt(options.getOrDefault("concurrency", "4"));
    this.repeat = Integer.parseInt(options.getOrDefault("repeat", "5"));
    this.http =
        new FhirHttp(
            required(options, "base"),
            options.get("token"),
            options.get("token-url"),
            options.get("client-id"),
            options.get("client-secret"));
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
    http.authenticate();
    List<String> phases =
        Arrays.asList(options.getOrDefault("phases", "load,read,search,everything").split(","));
    Path ids = options.containsKey("ids") ? Path.of(options.get("ids")) : null;
    Instant started = Instant.now();
    if (phases.contains("load")) {
      new LoadPhases(http, dataDir()).run(concurrency, results, created);
      if (ids != null) {
        Files.write(ids, created);
      }
    } else if (ids != null) {
      created = Files.readAllLines(ids);
    }
    List<String> patients =
        created.stream()
            .filter(id -> id.startsWith("Patient/"))
            .map(id -> id.substring(8))
            .toList();
    if (phases.contains("read")) {
      runPhase("read", created, id -> http.get(id));
    }
    if (phases.contains("search")) {
      SearchTerms terms = SearchTerms.scan(dataDir());
      runPhase("search-patient", rounds(patients, "Observation?patient=%s"), http::get);
      runPhase(
          "search-patient-category",
          rounds(patients, "Observation?patient=%s&category=" + terms.category()),
          http::get);
      List<String> byCode = new ArrayList<>();
      for (int r = 0; r < repeat; r++) {
        terms.codes().forEach(code -> byCode.add("Observation?code=" + code));
      }
      runPhase("search-code", byCode, http::get);
    }
    if (phases.contains("everything")) {
      runPhase("everything", rounds(patients, "Patient/%s/$everything"), http::get);
    }
    if (phases.contains("consent")) {
      consentFlow().run(results);
    }
    report(started);
    return results.stream().anyMatch(p -> p.errors() > 0) ? 1 : 0;
  }

  private ConsentFlow consentFlow() throws IOException {
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
    return new ConsentFlow(clients, consentVersions(), consentBundle(), concurrency, repeat);
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

  private List<String> rounds(List<String> patients, String template) {
    List<String> queries = new ArrayList<>();
    for (int r = 0; r < repeat; r++) {
      patients.forEach(p -> queries.add(template.replace("%s", p)));
    }
    return queries;
  }

  /** Runs one GET per item with {@link #concurrency} workers; bundle entries count as resources. */
  private void runPhase(String name, List<String> items, Request request) throws Exception {
    PhaseStats stats = new PhaseStats(name, items.size());
    Workers.run(
        items,
        concurrency,
        stats,
        item -> {
          long t0 = System.nanoTime();
          try {
            HttpResponse<byte[]> response = request.send(item);
            long nanos = System.nanoTime() - t0;
            if (response.statusCode() / 100 != 2) {
              stats.error(nanos, item + " -> HTTP " + response.statusCode() + " " + body(response));
            } else {
              stats.record(nanos, resourceCount(response.body()));
            }
          } catch (IOException e) {
            stats.error(System.nanoTime() - t0, item + " -> " + e);
          }
        });
    results.add(stats);
  }

  private static int resourceCount(byte[] body) throws IOException {
    JsonNode node = FhirHttp.parse(body);
    return "Bundle".equals(node.path("resourceType").asText()) ? node.path("entry").size() : 1;
  }

  static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private void report(Instant started) throws IOException {
    System.out.println();
    System.out.printf(
        "FHIR load driver: %s, concurrency %d, started %s%n", http.base(), concurrency, started);
    for (PhaseStats p : results) {
      System.out.println(p.summaryLine());
    }
    if (options.containsKey("json")) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("base", http.base());
      out.put("concurrency", concurrency);
      out.put("repeat", repeat);
      if (options.getOrDefault("phases", "").contains("consent")) {
        out.put("consentVersions", consentVersions());
        out.put("consentBundle", consentBundle());
      }
      out.put("startedAt", started.toString());
      out.put("availableProcessors", Runtime.getRuntime().availableProcessors());
      out.put("phases", results.stream().map(PhaseStats::toMap).toList());
      FhirHttp.json()
          .writerWithDefaultPrettyPrinter()
          .writeValue(Path.of(options.get("json")).toFile(), out);
    }
    for (PhaseStats p : results) {
      if (p.errors() > 0) {
        System.out.println(p.name + " errors, first ones: " + p.toMap().get("errorSamples"));
      }
    }
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
