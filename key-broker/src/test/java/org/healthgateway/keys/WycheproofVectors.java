package org.healthgateway.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Loads Wycheproof test-vector files from the shared data folder. */
public final class WycheproofVectors {

  private WycheproofVectors() {}

  /** Parses {@code vectors/wycheproof/<name>} under {@code shared.data.dir}. */
  public static JsonNode load(String name) throws IOException {
    String base = System.getProperty("shared.data.dir", "../../shared/data");
    Path file = Path.of(base, "vectors", "wycheproof", name);
    return new ObjectMapper().readTree(Files.readAllBytes(file));
  }

  public static byte[] hex(JsonNode node) {
    return HexFormat.of().parseHex(node.asText());
  }
}
