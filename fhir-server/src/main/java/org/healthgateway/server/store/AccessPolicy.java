package org.healthgateway.server.store;

import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Decides, beyond key possession, whether a requester who is neither the patient nor the author may
 * be served a version (consent in force, no deny). Returns the reason for a refusal.
 */
@FunctionalInterface
public interface AccessPolicy {
  AccessPolicy ALLOW_ALL = (meta, resource, requester) -> Optional.empty();

  Optional<String> refusal(VersionMeta meta, IBaseResource resource, String requester);
}
