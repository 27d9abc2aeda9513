package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One of the scale run's searches, one request at a time: the patient+category search {@code
 * Observation?patient=<id>&category=<system|code>} of a patient with {@code perPatient} resources
 * (JSON keys {@code search*}), or the type-wide {@code Observation?code=<system|code>&_count=50}
 * over all patients (keys {@code searchType*}). The first call after start-up (cold caches: grant
 * key and data keys still wrapped) is reported apart, then warm-ups, then the measured calls in an
 * HdrHistogram ({@link PhaseStats}) with the server's CPU per call; the JSON keeps every latency in
 * order, to show drift. Each call returns the first page. The gateway signs and appends the
 * AuditEvents of each search on a background thread, so the calls compete with that work, and the
 * CPU figure includes what of it ran during the measured calls.
 */
final class ScaleSearch {

  /** Matches on the first page of the type-wide search. */
  static final int TYPE_SEARCH_COUNT = DriverPhases.TYPE_SEARCH_COUNT;

  private final FhirHttp http;
  private final String query;
  private final String key;
  private final ServerCpu cpu;
  private final Set<String> subjects = new LinkedHashSet<>();

  private ScaleSearch(FhirHttp http, String query, String key, ServerCpu cpu) {
    this.http = http;
    this.query = query;
    this.key = key;
    this.cpu = cpu;
  }

  /** {@code Observation?patient=<id>&category=<observation-category|category>}. */
  static ScaleSearch patientCategory(
      FhirHttp http, String patientId, String category, ServerCpu cpu) {
    String token = encode(ScaleData.CATEGORY_SYSTEM + "|" + category);
    return new ScaleSearch(
        http, "Observation?patient=" + patientId + "&category=" + token, "search", cpu);
  }

  /** {@code Observation?code=<loinc|code>&_count=50}, no patient. */
  static ScaleSearch typeWide(FhirHttp http, String loincCode, ServerCpu cpu) {
    String token = encode(ScaleData.LOINC + "|" + loincCode);
    return new ScaleSearch(
        http, "Observation?code=" + token + "&_count=" + TYPE_SEARCH_COUNT, "searchType", cpu);
  }

  /** Runs the searches and puts their figures into {@code f}. */
  void measure(int warmup, int repeat, Map<String, Object> f)
      throws IOException, InterruptedException {
    f.put(key + "Query", query);
    long t0 = System.nanoTime();
    JsonNode cold = once();
    f.put(key + "ColdMs", ScaleReport.round((System.nanoTime() - t0) / 1e6));
    f.put(key + "Matches", cold.path("total").asLong(-1));
    f.put(key + "PageEntries", cold.path("entry").size());
    for (int i = 0; i < warmup; i++) {
      once();
    }
    PhaseStats stats = new PhaseStats(key, repeat, cpu);
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      long s = System.nanoTime();
      JsonNode page = once();
      long nanos = System.nanoTime() - s;
      stats.record(nanos, page.path("entry").size());
      millis.add(ScaleReport.round(nanos / 1e6));
    }
    stats.finish();
    Map<String, Object> m = stats.toMap();
    f.put(key + "Repeats", repeat);
    f.put(key + "P50Ms", m.get("latencyMsP50"));
    f.put(key + "P95Ms", m.get("latencyMsP95"));
    f.put(key + "P99Ms", m.get("latencyMsP99"));
    f.put(key + "MaxMs", m.get("latencyMsMax"));
    f.put(key + "CpuMsPerOp", m.get("serverCpuMsPerOp"));
    f.put(key + "LatenciesMs", millis);
  }

  /**
   * Every {@code subject.reference} on the pages returned so far: the patients into whose
   * compartments the gateway wrote AuditEvents for these searches.
   */
  Set<String> subjects() {
    return Collections.unmodifiableSet(subjects);
  }

  private JsonNode once() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.get(query);
    if (response.statusCode() != 200) {
      throw new IOException(
          query + " -> HTTP " + response.statusCode() + " " + new String(response.body(), UTF_8));
    }
    JsonNode page = FhirHttp.parse(response.body());
    for (JsonNode e : page.path("entry")) {
      String ref = e.path("resource").path("subject").path("reference").asText("");
      if (!ref.isEmpty()) {
        subjects.add(ref);
      }
    }
    return page;
  }

  private static String encode(String token) {
    return URLEncoder.encode(token, UTF_8);
  }
}
