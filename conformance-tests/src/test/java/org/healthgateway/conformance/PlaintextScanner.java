package org.healthgateway.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Searches every file of a directory for many byte strings at once. Each needle is indexed by its
 * first five bytes (a bit set of three-byte prefixes filters random ciphertext cheaply), so the
 * cost is one pass over the files whatever the number of needles.
 */
final class PlaintextScanner {

  static final int MIN_LENGTH = 5;

  private final BitSet prefixes = new BitSet(1 << 24);
  private final Map<Long, List<Needle>> byPrefix = new HashMap<>();

  /** Adds a string in UTF-8 and in its JSON-escaped forms. */
  void add(String text, String source) {
    addBytes(text.getBytes(StandardCharsets.UTF_8), text, source);
    for (String escaped : jsonEscaped(text)) {
      if (!escaped.equals(text)) {
        addBytes(escaped.getBytes(StandardCharsets.UTF_8), text, source + " (JSON-escaped)");
      }
    }
  }

  private void addBytes(byte[] bytes, String text, String source) {
    if (bytes.length < MIN_LENGTH) {
      return;
    }
    prefixes.set(prefix3(bytes, 0));
    byPrefix
        .computeIfAbsent(prefix5(bytes, 0), k -> new ArrayList<>())
        .add(new Needle(bytes, text, source));
  }

  int size() {
    return byPrefix.values().stream().mapToInt(List::size).sum();
  }

  /** The first needle found in any file under {@code dir}, with file and offset. */
  Optional<Hit> scan(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path file : files) {
      byte[] data = Files.readAllBytes(file);
      Optional<Hit> hit = scan(file, data);
      if (hit.isPresent()) {
        return hit;
      }
    }
    return Optional.empty();
  }

  private Optional<Hit> scan(Path file, byte[] data) {
    for (int i = 0; i + MIN_LENGTH <= data.length; i++) {
      if (!prefixes.get(prefix3(data, i))) {
        continue;
      }
      List<Needle> candidates = byPrefix.get(prefix5(data, i));
      if (candidates == null) {
        continue;
      }
      for (Needle needle : candidates) {
        if (matchesAt(data, i, needle.bytes())) {
          return Optional.of(new Hit(needle.text(), needle.source(), file, i));
        }
      }
    }
    return Optional.empty();
  }

  private static boolean matchesAt(byte[] data, int offset, byte[] needle) {
    if (offset + needle.length > data.length) {
      return false;
    }
    for (int j = MIN_LENGTH; j < needle.length; j++) {
      if (data[offset + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private static int prefix3(byte[] b, int i) {
    return ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
  }

  private static long prefix5(byte[] b, int i) {
    return ((long) (b[i] & 0xFF) << 32)
        | ((long) (b[i + 1] & 0xFF) << 24)
        | ((b[i + 2] & 0xFF) << 16)
        | ((b[i + 3] & 0xFF) << 8)
        | (b[i + 4] & 0xFF);
  }

  /** JSON string-escaped forms: non-ASCII as lower- and upper-case {@code \\uXXXX}. */
  static List<String> jsonEscaped(String text) {
    List<String> forms = new ArrayList<>();
    for (boolean upper : new boolean[] {false, true}) {
      for (boolean escapeNonAscii : new boolean[] {false, true}) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
          if (c == '"' || c == '\\') {
            out.append('\\').append(c);
          } else if (c == '/') {
            out.append("\\/");
          } else if (c < 0x20 || (escapeNonAscii && c > 0x7E)) {
            String hex = String.format("%04x", (int) c);
            out.append("\\u").append(upper ? hex.toUpperCase(java.util.Locale.ROOT) : hex);
          } else {
            out.append(c);
          }
        }
        forms.add(out.toString());
        forms.add(out.toString().replace("\\/", "/"));
      }
    }
    return forms.stream().distinct().toList();
  }

  private record Needle(byte[] bytes, String text, String source) {}

  /** Where a needle was found. */
  record Hit(String text, String source, Path file, long offset) {
    @Override
    public String toString() {
      return "\"" + text + "\" (" + source + ") in " + file + " at byte " + offset;
    }
  }
}
