package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads acknowledged versions back after a restart: {@code GET Type/id/_history/v} as the patient
 * (who holds a key to every version in its compartment, and whose own reads write no AuditEvent;
 * directory resources are public), and requires 200, the same type, id and {@code meta.versionId},
 * and the marker written. Anything else (404, 410, 403, another marker, a failed request even after
 * one retry) counts as lost, with the reason.
 */
final class CrashReadBack {

  /** What a read-back found: versions read, the versions lost, and why the first were. */
  record Result(int checked, List<CrashWrites.Ack> lost, List<String> samples, PhaseStats stats) {}

  private static final int MAX_SAMPLES = 20;

  private CrashReadBack() {}

  /** Reads every version in {@code acks}, {@code concurrency} at a time. */
  static Result check(String phase, FhirHttp reader, List<CrashWrites.Ack> acks, int concurrency)
      throws InterruptedException {
    PhaseStats stats = new PhaseStats(phase, acks.size());
    List<CrashWrites.Ack> lost = new CopyOnWriteArrayList<>();
    List<String> samples = new CopyOnWriteArrayList<>();
    Workers.run(
        acks,
        concurrency,
        stats,
        ack -> {
          long t0 = System.nanoTime();
          String problem = problem(reader, ack);
          stats.record(System.nanoTime() - t0, 1);
          if (problem != null) {
            lost.add(ack);
            if (samples.size() < MAX_SAMPLES) {
              samples.add(ack.versionPath() + " (" + ack + "): " + problem);
            }
          }
        });
    return new Result(acks.size(), List.copyOf(lost), List.copyOf(samples), stats);
  }

  /** Null if the version reads back as written, else what is wrong. */
  private static String problem(FhirHttp reader, CrashWrites.Ack ack) throws InterruptedException {
    HttpResponse<byte[]> response;
    try {
      response = reader.get(ack.versionPath());
      if (response.statusCode() / 100 == 5) {
        response = reader.get(ack.versionPath());
      }
    } catch (IOException first) {
      try {
        response = reader.get(ack.versionPath());
      } catch (IOException second) {
        return "read failed twice: " + second;
      }
    }
    if (response.statusCode() != 200) {
      return "HTTP " + response.statusCode() + " " + RequestOutcomes.diagnostics(response.body());
    }
    JsonNode resource;
    try {
      resource = FhirHttp.parse(response.body());
    } catch (IOException e) {
      return "unparsable body: " + e.getMessage();
    }
    String found =
        resource.path("resourceType").asText()
            + "/"
            + resource.path("id").asText()
            + "/_history/"
            + resource.path("meta").path("versionId").asText();
    if (!found.equals(ack.versionPath())) {
      return "read " + found;
    }
    String marker = CrashResources.marker(resource);
    return ack.marker().equals(marker) ? null : "marker " + marker + ", expected " + ack.marker();
  }

  /** A seeded random sample of {@code n} of {@code acks} (all of them if there are fewer). */
  static List<CrashWrites.Ack> sample(List<CrashWrites.Ack> acks, int n, SplittableRandom random) {
    List<CrashWrites.Ack> copy = new ArrayList<>(acks);
    int k = Math.min(n, copy.size());
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(copy.size() - i);
      copy.set(j, copy.set(i, copy.get(j)));
    }
    return List.copyOf(copy.subList(0, k));
  }
}
