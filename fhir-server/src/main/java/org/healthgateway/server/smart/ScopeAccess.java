package org.healthgateway.server.smart;

import java.util.List;
import java.util.Map;

/**
 * What a token's scopes allow for one interaction on one resource type: a decision, not an
 * exception (the interceptor turns a denial into 403).
 *
 * @param allowed whether any scope grants the interaction
 * @param patientId when only patient-level scopes grant it: the patient whose compartment the
 *     request is confined to; null for no compartment limit
 * @param filters v2 scope queries of which the resource must match one; empty for no filter
 * @param reason why the interaction is denied; null when allowed
 */
public record ScopeAccess(
    boolean allowed, String patientId, List<Map<String, List<String>>> filters, String reason) {

  public ScopeAccess {
    filters = List.copyOf(filters);
  }

  static ScopeAccess denied(String reason) {
    return new ScopeAccess(false, null, List.of(), reason);
  }

  /** True when allowed without compartment limit or query filter. */
  public boolean unrestricted() {
    return allowed && patientId == null && filters.isEmpty();
  }
}
