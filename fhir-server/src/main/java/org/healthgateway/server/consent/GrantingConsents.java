package org.healthgateway.server.consent;

import java.util.List;
import java.util.Optional;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.audit.ConsentLookup;
import org.healthgateway.server.audit.ConsentPurposes;
import org.healthgateway.server.store.RecordStore;
import org.hl7.fhir.r4.model.Coding;

/**
 * The access log's view of the read rule: the store remembers which Consent permitted each read,
 * the consent service holds the Consents and their purposes.
 */
public final class GrantingConsents implements ConsentLookup {
  private final RecordStore store;
  private final ConsentService consents;

  public GrantingConsents(RecordStore store, ConsentService consents) {
    this.store = store;
    this.consents = consents;
  }

  @Override
  public Optional<String> grantingConsent(VersionMeta meta, String requester) {
    return store.grantingConsent(meta, requester);
  }

  @Override
  public List<Coding> purposes(String patientId, String consent) {
    if (patientId == null || consent == null || !consent.startsWith("Consent/")) {
      return List.of();
    }
    return consents
        .consent(patientId, consent.substring("Consent/".length()))
        .map(ConsentPurposes::of)
        .orElse(List.of());
  }
}
