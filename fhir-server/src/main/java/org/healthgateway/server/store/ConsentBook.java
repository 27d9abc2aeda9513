package org.healthgateway.server.store;

import java.util.List;
import org.hl7.fhir.r4.model.Consent;

/** Where the read rule finds a patient's consents (any status). */
@FunctionalInterface
public interface ConsentBook {
  /** No consents: nobody but the patient and the authors is served. */
  ConsentBook NONE = patientId -> List.of();

  List<Consent> consentsOf(String patientId);
}
