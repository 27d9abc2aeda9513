package org.healthgateway.server.store;

import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** Who, besides the patient and the author, gets a new version's data key (standing consents). */
@FunctionalInterface
public interface RecipientPolicy {
  RecipientPolicy NONE = (patientId, resource, categories) -> Set.of();

  Set<String> recipients(String patientId, IBaseResource resource, Set<String> categories);
}
