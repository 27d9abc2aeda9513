package org.healthgateway.server.smart;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scope policy decides for a request, an entry or a resource about to be shown: a value,
 * not an exception (the interceptor turns a denial into 403).
 */
public sealed interface ScopeDecision {

  /** Allowed as asked. */
  record Permit() implements ScopeDecision {}

  /** Refused; the reason is the 403's message. */
  record Deny(String reason) implements ScopeDecision {}

  /**
   * Allowed as a narrower search: the request's parameters plus the token's limits.
   *
   * @param patient the patient (id, no type) the search is confined to; null when only v2 scope
   *     queries narrow it
   * @param parameters every parameter of the narrowed search, in request order, limits last
   */
  record Narrow(String patient, Map<String, List<String>> parameters) implements ScopeDecision {
    public Narrow {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      parameters.forEach((name, values) -> copy.put(name, List.copyOf(values)));
      parameters = java.util.Collections.unmodifiableMap(copy);
    }
  }

  /** A {@link Permit}; every one equals every other. */
  static ScopeDecision permit() {
    return new Permit();
  }

  /** True unless this is a {@link Deny}. */
  default boolean allowed() {
    return !(this instanceof Deny);
  }
}
