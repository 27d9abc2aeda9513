package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The load phases: the Synthea directory batch bundles (hospitals, practitioners) one after the
 * other, then the patient transaction bundles with N concurrent requests. A bundle is one
 * operation; its entries are the resources. The ids the server assigned (from each entry's {@code
 * response.location}) are collected for the read phase.
 */
final class LoadPhases {

  private final FhirHttp http;
  private final Path dataDir;
  private final ServerCpu cpu;

  LoadPhases(FhirHttp http, Path dataDir, ServerCpu cpu) {
    this.http = http;
    this.dataDir = dataDir;
    this.cpu = cpu;
  }

  void run(int concurrency, List<PhaseStats> results, List<String> created) throws Exception {
    List<Path> directory = new ArrayList<>();
    List<Path> patients = new ArrayList<>();
    for (Path file : LoadDriver.files(dataDir)) {
      String name = file.getFileName().toString();
      if (name.startsWith("hospitalInformation") || name.startsWith("practitionerInformation")) {
        directory.add(file);
      } else {
        patients.add(file);
      }
    }
    // Hospitals before practitioners: PractitionerRoles reference the organizations.
    directory.sort(
        Comparator.comparing((Path p) -> !p.getFileName().toString().startsWith("hospital")));
    results.add(load("load-batch", directory, 1, created));
    results.add(load("load-transaction", patients, concurrency, created));
  }

  private PhaseStats load(String name, List<Path> files, int concurrency, List<String> created)
      throws InterruptedException {
    PhaseStats stats = new PhaseStats(name, files.size(), cpu);
    Workers.run(files, concurrency, stats, file -> post(file, stats, created));
    return stats;
  }

  private void post(Path file, PhaseStats stats, List<String> created)
      throws IOException, InterruptedException {
    byte[] body = Files.readAllBytes(file);
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = http.post("", body);
    long nanos = System.nanoTime() - t0;
    String what = file.getFileName().toString();
    if (response.statusCode() / 100 != 2) {
      stats.error(
          nanos, what + " -> HTTP " + response.statusCode() + " " + LoadDriver.body(response));
      return;
    }
    List<String> ids = new ArrayList<>();
    int failed = 0;
    String firstFailure = null;
    for (JsonNode entry : FhirHttp.parse(response.body()).path("entry")) {
      JsonNode r = entry.path("response");
      if (!r.path("status").asText().startsWith("2")) {
        failed++;
        firstFailure = firstFailure == null ? r.toString() : firstFailure;
      } else if (r.hasNonNull("location")) {
        ids.add(typeAndId(r.path("location").asText()));
      }
    }
    synchronized (created) {
      created.addAll(ids);
    }
    if (failed > 0) {
      stats.error(nanos, what + " -> " + failed + " entries failed, first: " + firstFailure);
    } else {
      stats.record(nanos, ids.size());
    }
  }

  /** {@code [base/]Type/id[/_history/v]} to {@code Type/id}. */
  static String typeAndId(String location) {
    String[] parts = location.split("/");
    int h = Math.max(0, Arrays.asList(parts).indexOf("_history"));
    int idAt = h > 0 ? h - 1 : parts.length - 1;
    return parts[idAt - 1] + "/" + parts[idAt];
  }
}
