package org.healthgateway.server.smart;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART resource scope in v1 ({@code patient/Observation.read}) or v2 ({@code
 * patient/Observation.rs?category=laboratory}) syntax, normalized to v2 permissions.
 *
 * <p>v1 {@code read} becomes {@code rs}, {@code write} becomes {@code cud}, {@code *} becomes
 * {@code cruds}. v2 permissions must appear in the order {@code c r u d s} (SMART App Launch 2.2,
 * "Scopes for requesting FHIR resources").
 *
 * @param level whose data the scope covers
 * @param resourceType a resource type or {@code *}
 * @param permissions a subsequence of {@code cruds}
 * @param query v2 query parameters that further restrict the scope; empty when none
 */
public record SmartScope(
    Level level, String resourceType, String permissions, Map<String, List<String>> query) {

  /** The scope's context: one patient, the signed-in user, or a backend system. */
  public enum Level {
    PATIENT,
    USER,
    SYSTEM
  }

  private static final Pattern SYNTAX =
      Pattern.compile(
          "^(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.(read|write|\\*|c?r?u?d?s?)"
              + "(?:\\?([^\\s]{1,512}))?$");
  private static final int MAX_QUERY_PARAMS = 8;

  public SmartScope {
    query = Map.copyOf(query);
  }

  /** Parses a scope; empty for anything that is not a SMART resource scope. */
  public static Optional<SmartScope> parse(String scope) {
    if (scope == null) {
      return Optional.empty();
    }
    Matcher matcher = SYNTAX.matcher(scope);
    if (!matcher.matches() || matcher.group(3).isEmpty()) {
      return Optional.empty();
    }
    String permissions =
        switch (matcher.group(3)) {
          case "read" -> "rs";
          case "write" -> "cud";
          case "*" -> "cruds";
          default -> matcher.group(3);
        };
    Optional<Map<String, List<String>>> query = parseQuery(matcher.group(4));
    if (query.isEmpty()) {
      return Optional.empty();
    }
    Level level = Level.valueOf(matcher.group(1).toUpperCase(java.util.Locale.ROOT));
    return Optional.of(new SmartScope(level, matcher.group(2), permissions, query.get()));
  }

  private static Optional<Map<String, List<String>>> parseQuery(String query) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (query == null) {
      return Optional.of(params);
    }
    String[] pairs = query.split("&", -1);
    if (pairs.length > MAX_QUERY_PARAMS) {
      return Optional.empty();
    }
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        return Optional.empty();
      }
      String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return Optional.of(params);
  }

  /** True if this scope allows {@code interaction} (one of {@code cruds}) on {@code type}. */
  public boolean grants(String type, char interaction) {
    return ("*".equals(resourceType) || resourceType.equals(type))
        && permissions.indexOf(interaction) >= 0;
  }

  /** True if a client registered with this scope may be granted {@code requested}. */
  public boolean covers(SmartScope requested) {
    if (level != requested.level
        || !("*".equals(resourceType) || resourceType.equals(requested.resourceType))) {
      return false;
    }
    for (char c : requested.permissions.toCharArray()) {
      if (permissions.indexOf(c) < 0) {
        return false;
      }
    }
    return query.isEmpty() || query.equals(requested.query);
  }

  /**
   * True if {@code requested} may be granted to a client registered with {@code registered}: an
   * exact match, or a resource scope covered by a registered resource scope.
   */
  public static boolean isCovered(Collection<String> registered, String requested) {
    if (registered.contains(requested)) {
      return true;
    }
    Optional<SmartScope> wanted = parse(requested);
    if (wanted.isEmpty()) {
      return false;
    }
    for (String scope : registered) {
      Optional<SmartScope> held = parse(scope);
      if (held.isPresent() && held.get().covers(wanted.get())) {
        return true;
      }
    }
    return false;
  }
}
