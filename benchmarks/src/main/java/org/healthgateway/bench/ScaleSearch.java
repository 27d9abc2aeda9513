package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scale run's search: {@code Observation?patient=<id>&category=<system|code>} for the patient
 * with {@code perPatient} resources, one request at a time. The first call after start-up (cold
 * caches: grant key and data keys still wrapped) is reported apart, then warm-ups, then the
 * measured calls in an HdrHistogram ({@link PhaseStats}); the JSON keeps every latency in order, to
 * show drift. Each call returns the first page. The gateway signs and appends the AuditEvents of
 * each search on a background thread, so the calls compete with that work.
 */
final class ScaleSearch {

  private final FhirHttp http;
  private final String query;

  ScaleSearch(FhirHttp http, String patientId, String category) {
    this.http = http;
    String token = ScaleData.CATEGORY_SYSTEM + "|" + category;
    this.query =
        "Observation?patient=" + patientId + "&category=" + URLEncoder.encode(token, UTF_8);
  }

  /** Runs the searches and puts their figures into {@code f}. */
  void measure(int warmup, int repeat, Map<String, Object> f)
      throws IOException, InterruptedException {
    f.put("searchQuery", query);
    long t0 = System.nanoTime();
    JsonNode cold = once();
    f.put("searchColdMs", ScaleReport.round((System.nanoTime() - t0) / 1e6));
    f.put("searchMatches", cold.path("total").asLong(-1));
    f.put("searchPageEntries", cold.path("entry").size());
    for (int i = 0; i < warmup; i++) {
      once();
    }
    PhaseStats stats = new PhaseStats("search-patient-category", repeat);
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
    f.put("searchRepeats", repeat);
    f.put("searchP50Ms", m.get("latencyMsP50"));
    f.put("searchP95Ms", m.get("latencyMsP95"));
    f.put("searchP99Ms", m.get("latencyMsP99"));
    f.put("searchMaxMs", m.get("latencyMsMax"));
    f.put("searchLatenciesMs", millis);
  }

  private JsonNode once() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.get(query);
    if (response.statusCode() != 200) {
      throw new IOException(
          query + " -> HTTP " + response.statusCode() + " " + new String(response.body(), UTF_8));
    }
    return FhirHttp.parse(response.body());
  }
}
