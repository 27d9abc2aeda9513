package org.healthgateway.server.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.consent.ConsentService;
import org.healthgateway.server.store.RecordStore;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;

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
        .map(GrantingConsents::purposesOf)
        .orElse(List.of());
  }

  /** The purposes of use of every provision of the consent. */
  static List<Coding> purposesOf(Consent consent) {
    List<Coding> purposes = new ArrayList<>();
    collect(consent.getProvision(), purposes);
    return purposes;
  }

  private static void collect(Consent.ProvisionComponent provision, List<Coding> into) {
    for (Coding purpose : provision.getPurpose()) {
      if (purpose.hasCode()) {
        into.add(purpose.copy());
      }
    }
    for (Consent.ProvisionComponent nested : provision.getProvision()) {
      collect(nested, into);
    }
  }
}
