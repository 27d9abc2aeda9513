package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Search values taken from the data set itself, so the searches find something whatever the data:
 * the most frequent Observation category and the most frequent Observation codes (most frequent
 * first), as URL-encoded {@code system|code} tokens ({@code |} as {@code %7C}: Tomcat refuses it
 * raw in a query string).
 */
record SearchTerms(String category, List<String> codes) {

  /** How many codes {@link #scan} keeps. */
  static final int MAX_CODES = 10;

  /** The {@code n} most frequent codes (fewer if the data has fewer). */
  List<String> codes(int n) {
    return codes.subList(0, Math.min(n, codes.size()));
  }

  static SearchTerms scan(Path dataDir) throws IOException {
    Map<String, Integer> categories = new HashMap<>();
    Map<String, Integer> codes = new HashMap<>();
    for (Path file : LoadDriver.files(dataDir)) {
      for (JsonNode entry : FhirHttp.json().readTree(file.toFile()).path("entry")) {
        JsonNode r = entry.path("resource");
        if (!"Observation".equals(r.path("resourceType").asText())) {
          continue;
        }
        for (JsonNode category : r.path("category")) {
          category.path("coding").forEach(c -> categories.merge(token(c), 1, Integer::sum));
        }
        r.path("code").path("coding").forEach(c -> codes.merge(token(c), 1, Integer::sum));
      }
    }
    return new SearchTerms(top(categories, 1).get(0), top(codes, MAX_CODES));
  }

  private static String token(JsonNode coding) {
    String t = coding.path("system").asText() + "|" + coding.path("code").asText();
    return URLEncoder.encode(t, StandardCharsets.UTF_8);
  }

  private static List<String> top(Map<String, Integer> counts, int n) {
    List<String> top =
        counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
            .limit(n)
            .map(Map.Entry::getKey)
            .toList();
    if (top.isEmpty()) {
      throw new IllegalStateException("no Observation in the data set to search for");
    }
    return top;
  }
}
