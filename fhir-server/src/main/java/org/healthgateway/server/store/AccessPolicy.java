package org.healthgateway.server.store;

import java.util.Optional;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Decides, beyond key possession, whether a requester who is neither the patient nor the author may
 * be served a version (consent in force, no deny). Returns the reason for a refusal.
 */
@FunctionalInterface
public interface AccessPolicy {
  /** Until the consent side is wired, nobody but the patient and the authors is served. */
  AccessPolicy DENY_ALL =
      (meta, resource, requester) -> Optional.of("no access policy is configured");

  Optional<String> refusal(VersionMeta meta, IBaseResource resource, String requester);
}
