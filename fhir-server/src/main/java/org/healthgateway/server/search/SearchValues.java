package org.healthgateway.server.search;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits and checks raw search values. */
final class SearchValues {

  private SearchValues() {}

  /** Splits on unescaped commas (the OR separator) and unescapes {@code \,} and {@code \\}. */
  static List<String> splitOr(String raw) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\'
          && i + 1 < raw.length()
          && (raw.charAt(i + 1) == ',' || raw.charAt(i + 1) == '\\')) {
        current.append(raw.charAt(++i));
      } else if (c == ',') {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  static boolean parseBoolean(String name, String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.equals("true") || lower.equals("false")) {
      return Boolean.parseBoolean(lower);
    }
    throw invalid("Invalid value for " + name + ": '" + value + "' (expected true or false)");
  }

  static int parseCount(String value, int max) {
    try {
      int count = Integer.parseInt(value.trim());
      if (count < 0) {
        throw invalid("Invalid _count: '" + value + "' (must not be negative)");
      }
      return Math.min(count, max);
    } catch (NumberFormatException e) {
      throw invalid("Invalid _count: '" + value + "' (expected an integer)");
    }
  }

  static InvalidRequestException invalid(String message) {
    return new InvalidRequestException(message);
  }
}
