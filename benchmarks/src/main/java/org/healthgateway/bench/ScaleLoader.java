package org.healthgateway.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Grows the ledger through the FHIR API: whole synthetic patients ({@link ScaleData}), each one
 * Patient plus {@code perPatient - 1} Observations in transaction Bundles of {@code bundleSize}
 * entries, {@code concurrency} patients at a time. One Bundle is one operation; its created entries
 * are the versions. A failed Bundle is retried twice (a transaction is all or nothing), then the
 * load stops: a ledger with holes would measure nothing. Progress goes to stderr.
 */
final class ScaleLoader {

  private static final int ATTEMPTS = 3;
  private static final long PROGRESS_SECONDS = 10;

  private final FhirHttp http;
  private final ScaleState state;
  private final int bundleSize;
  private final int concurrency;
  private final ServerCpu cpu;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicBoolean failed = new AtomicBoolean();

  ScaleLoader(FhirHttp http, ScaleState state, int bundleSize, int concurrency, ServerCpu cpu) {
    if (state.perPatient() < 2 || bundleSize < 2 || concurrency < 1) {
      throw new IllegalArgumentException(
          "need --per-patient >= 2, --bundle-size >= 2 and --concurrency >= 1");
    }
    this.http = http;
    this.state = state;
    this.bundleSize = bundleSize;
    this.concurrency = concurrency;
    this.cpu = cpu;
  }

  /**
   * Adds enough whole patients for at least {@code versions} more resource versions.
   *
   * @return bundles as operations and versions as resources, with the Bundle latencies
   * @throws IOException when a Bundle still fails after its retries
   */
  PhaseStats load(String label, long versions) throws IOException, InterruptedException {
    int patients = (int) ((versions + state.perPatient() - 1) / state.perPatient());
    long planned = (long) patients * state.perPatient();
    int bundlesPerPatient = (state.perPatient() + bundleSize - 1) / bundleSize;
    PhaseStats stats = new PhaseStats(label, (long) patients * bundlesPerPatient, cpu);
    int first = state.nextNumber();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<?>> futures = new ArrayList<>();
    for (int number = first; number < first + patients; number++) {
      int n = number;
      futures.add(
          pool.submit(
              () -> {
                loadPatient(n, stats);
                return null;
              }));
    }
    pool.shutdown();
    long lastCount = 0;
    double lastSeconds = 0;
    while (!pool.awaitTermination(PROGRESS_SECONDS, TimeUnit.SECONDS)) {
      progress(stats, planned, lastCount, lastSeconds);
      lastCount = written.get();
      lastSeconds = stats.seconds();
    }
    stats.finish();
    progress(stats, planned, 0, 0);
    rethrowFirstFailure(futures);
    return stats;
  }

  private void loadPatient(int number, PhaseStats stats) throws IOException, InterruptedException {
    String patientId = null;
    for (int first = 0; first < state.perPatient() - 1 && !failed.get(); ) {
      // The first Bundle carries the Patient, so it has one Observation fewer.
      int count =
          Math.min(bundleSize - (patientId == null ? 1 : 0), state.perPatient() - 1 - first);
      JsonNode response = post(number, patientId, first, count, stats);
      if (patientId == null) {
        patientId = idOf(response.path("entry").path(0));
      }
      first += count;
    }
    if (!failed.get()) {
      state.add(number, patientId);
    }
  }

  private JsonNode post(int number, String patientId, int first, int count, PhaseStats stats)
      throws IOException, InterruptedException {
    byte[] body = ScaleData.bundle(number, patientId, first, count);
    int entries = count + (patientId == null ? 1 : 0);
    String what = "patient " + number + " observations " + first + ".." + (first + count - 1);
    for (int attempt = 1; ; attempt++) {
      long t0 = System.nanoTime();
      String failure;
      try {
        HttpResponse<byte[]> response = http.post("", body);
        long nanos = System.nanoTime() - t0;
        failure = failure(response, entries);
        if (failure == null) {
          stats.record(nanos, entries);
          written.addAndGet(entries);
          return FhirHttp.parse(response.body());
        }
        stats.error(nanos, what + " -> " + failure);
      } catch (IOException e) {
        failure = e.toString();
        stats.error(System.nanoTime() - t0, what + " -> " + failure);
      }
      if (attempt == ATTEMPTS || failed.get()) {
        failed.set(true);
        throw new IOException(what + " failed " + attempt + " times, last: " + failure);
      }
      retries.incrementAndGet();
    }
  }

  /** Null when every entry of the transaction was created, else what went wrong. */
  private static String failure(HttpResponse<byte[]> response, int entries) throws IOException {
    if (response.statusCode() / 100 != 2) {
      return "HTTP " + response.statusCode() + " " + new String(response.body(), UTF_8);
    }
    JsonNode entry = FhirHttp.parse(response.body()).path("entry");
    int created = 0;
    for (JsonNode e : entry) {
      created += e.path("response").path("status").asText().startsWith("201") ? 1 : 0;
    }
    return created == entries ? null : created + " of " + entries + " entries created";
  }

  /** The id in entry 0's {@code Patient/<id>/_history/1}. */
  private static String idOf(JsonNode entry) {
    String location = entry.path("response").path("location").asText();
    String[] parts = location.split("/");
    int at = Arrays.asList(parts).indexOf("Patient");
    if (at < 0 || at + 1 >= parts.length) {
      throw new IllegalStateException("entry 0 is not the Patient: " + location);
    }
    return parts[at + 1];
  }

  private void progress(PhaseStats stats, long planned, long lastCount, double lastSeconds) {
    long count = written.get();
    double seconds = stats.seconds();
    double rate = count / seconds;
    double recent = (count - lastCount) / Math.max(1e-3, seconds - lastSeconds);
    long eta = rate > 0 ? Math.round((planned - count) / rate) : -1;
    System.err.printf(
        "[%s] %,d/%,d versions, %.0f versions/s (last interval %.0f/s), %d bundles,"
            + " %d retries, %.0f s elapsed, ETA %s%n",
        stats.name,
        count,
        planned,
        rate,
        recent,
        stats.operations() - stats.errors(),
        retries.get(),
        seconds,
        eta < 0 ? "?" : String.format("%dm%02ds", eta / 60, eta % 60));
  }

  private static void rethrowFirstFailure(List<Future<?>> futures)
      throws IOException, InterruptedException {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IllegalStateException("load failed", e.getCause());
      }
    }
  }
}
