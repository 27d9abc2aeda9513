package org.healthgateway.server.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Leaves expired AuditEvents out of every Bundle answer ({@code _revinclude=AuditEvent:entity},
 * {@code $everything}), so that the retention holds on every path, not only on AuditEvent's own
 * read and search (which leave them out before counting).
 */
public final class RetentionFilter {
  private final AuditPolicy policy;
  private final ResourceIndex index;

  public RetentionFilter(AuditPolicy policy, ResourceIndex index) {
    this.policy = policy;
    this.index = index;
  }

  @Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = DisclosureInterceptor.ORDER - 1)
  public boolean filter(RequestDetails request, ResponseDetails response) {
    if (policy.cutoff().isPresent() && response.getResponseResource() instanceof Bundle bundle) {
      bundle.getEntry().removeIf(entry -> isExpired(entry.getResource()));
    }
    return true;
  }

  /** True for an AuditEvent of a patient recorded before the cutoff. */
  public boolean isExpired(IBaseResource resource) {
    if (resource == null || !resource.fhirType().equals("AuditEvent")) {
      return false;
    }
    return index
        .current("AuditEvent", resource.getIdElement().getIdPart())
        .filter(policy::isExpired)
        .isPresent();
  }
}
