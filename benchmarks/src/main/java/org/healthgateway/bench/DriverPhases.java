package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The load driver's workload against one FHIR server: load, read, the searches and $everything, in
 * that order, each phase over {@code concurrency} workers with the server's CPU read around it.
 */
final class DriverPhases {

  /** Queries of the type-wide search: the first page holds at most this many matches. */
  static final int TYPE_SEARCH_COUNT = 50;

  /** How many of the data set's most frequent Observation codes the type-wide search cycles. */
  static final int TYPE_SEARCH_CODES = 10;

  /** A server to drive: how to reach it, its process (or none), where its created ids go. */
  record Target(String label, FhirHttp http, ServerCpu cpu, Path ids) {}

  private final Target target;
  private final Path dataDir;
  private final int concurrency;
  private final int repeat;
  private final List<PhaseStats> results = new ArrayList<>();

  DriverPhases(Target target, Path dataDir, int concurrency, int repeat) {
    this.target = target;
    this.dataDir = dataDir;
    this.concurrency = concurrency;
    this.repeat = repeat;
  }

  /** Runs the named phases that exist on any FHIR server; returns every phase's figures. */
  List<PhaseStats> run(List<String> phases, SearchTerms terms) throws Exception {
    FhirHttp http = target.http();
    http.authenticate();
    List<String> created = new ArrayList<>();
    if (phases.contains("load")) {
      new LoadPhases(http, dataDir, target.cpu()).run(concurrency, results, created);
      if (target.ids() != null) {
        Files.write(target.ids(), created);
      }
    } else if (target.ids() != null) {
      created.addAll(Files.readAllLines(target.ids()));
    }
    List<String> patients =
        created.stream()
            .filter(id -> id.startsWith("Patient/"))
            .map(id -> id.substring(8))
            .toList();
    if (phases.contains("read")) {
      runPhase("read", created);
    }
    if (phases.contains("search")) {
      search(patients, terms);
    }
    if (phases.contains("everything")) {
      runPhase("everything", rounds(patients, "Patient/%s/$everything"));
    }
    return results;
  }

  private void search(List<String> patients, SearchTerms terms) throws Exception {
    runPhase("search-patient", rounds(patients, "Observation?patient=%s"));
    runPhase(
        "search-patient-category",
        rounds(patients, "Observation?patient=%s&category=" + terms.category()));
    List<String> byCode = new ArrayList<>();
    for (int r = 0; r < repeat; r++) {
      terms.codes(3).forEach(code -> byCode.add("Observation?code=" + code));
    }
    runPhase("search-code", byCode);
    runPhase(
        "search-type", typeWideQueries(terms.codes(TYPE_SEARCH_CODES), patients.size(), repeat));
  }

  /**
   * {@code Observation?code=<system%7Ccode>&_count=50} over all patients, the given codes in turn:
   * {@code repeat} rounds of as many queries as there are patients (at least one of each code), so
   * that its p99 rests on as many samples as search-patient's.
   */
  static List<String> typeWideQueries(List<String> codes, int patients, int repeat) {
    int n = repeat * Math.max(patients, codes.size());
    List<String> queries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      queries.add(
          "Observation?code=" + codes.get(i % codes.size()) + "&_count=" + TYPE_SEARCH_COUNT);
    }
    return queries;
  }

  private List<String> rounds(List<String> patients, String template) {
    List<String> queries = new ArrayList<>();
    for (int r = 0; r < repeat; r++) {
      patients.forEach(p -> queries.add(template.replace("%s", p)));
    }
    return queries;
  }

  /** Runs one GET per item with {@link #concurrency} workers; bundle entries count as resources. */
  private void runPhase(String name, List<String> items) throws Exception {
    FhirHttp http = target.http();
    PhaseStats stats = new PhaseStats(name, items.size(), target.cpu());
    Workers.run(
        items,
        concurrency,
        stats,
        item -> {
          long t0 = System.nanoTime();
          try {
            HttpResponse<byte[]> response = http.get(item);
            long nanos = System.nanoTime() - t0;
            if (response.statusCode() / 100 != 2) {
              stats.error(
                  nanos,
                  item + " -> HTTP " + response.statusCode() + " " + LoadDriver.body(response));
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
}
