package org.healthgateway.server.audit;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;

/** The purposes of use a Consent names, for an AuditEvent's {@code purposeOfEvent}. */
public final class ConsentPurposes {
  private ConsentPurposes() {}

  /** The coded purposes of every provision of the consent, nested ones included, in order. */
  public static List<Coding> of(Consent consent) {
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
