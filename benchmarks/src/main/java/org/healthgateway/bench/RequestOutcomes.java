package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records requests into {@link PhaseStats}: a 2xx as an operation, anything else as an error that
 * carries the server's OperationOutcome diagnostics. The first error of each phase also goes to
 * stderr as it happens, so an unexpected status is seen before the run ends.
 */
final class RequestOutcomes {

  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /**
   * Counts a response: a 2xx as a success, anything else as an error of the phase.
   *
   * @param resources recorded with the operation; negative to leave the recording of a 2xx to the
   *     caller (which checks the body first)
   * @return true on a 2xx
   */
  boolean ok(
      PhaseStats stats, String what, HttpResponse<byte[]> response, long nanos, int resources) {
    if (response.statusCode() / 100 == 2) {
      if (resources >= 0) {
        stats.record(nanos, resources);
      }
      return true;
    }
    error(
        stats,
        nanos,
        what + " -> HTTP " + response.statusCode() + " " + diagnostics(response.body()));
    return false;
  }

  /** Counts a failed operation ({@code nanos <= 0}: no meaningful latency). */
  void error(PhaseStats stats, long nanos, String problem) {
    stats.error(nanos, problem);
    firstOfPhase(stats, problem);
  }

  /** Prints the problem if it is the phase's first: for errors already counted elsewhere. */
  void firstOfPhase(PhaseStats stats, String problem) {
    if (reported.add(stats.name)) {
      System.err.println("[" + stats.name + "] FAILED: " + problem);
    }
  }

  /** The OperationOutcome's diagnostics, else the start of the body. */
  static String diagnostics(byte[] body) {
    try {
      JsonNode node = FhirHttp.parse(body);
      if ("OperationOutcome".equals(node.path("resourceType").asText())) {
        Set<String> said = new LinkedHashSet<>();
        for (JsonNode issue : node.path("issue")) {
          said.add(issue.path("diagnostics").asText(issue.path("details").path("text").asText()));
        }
        return "OperationOutcome: " + String.join("; ", said);
      }
    } catch (IOException e) {
      // Not JSON: show the text as it came.
    }
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
