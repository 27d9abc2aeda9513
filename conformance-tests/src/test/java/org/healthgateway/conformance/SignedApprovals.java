package org.healthgateway.conformance;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;
import org.healthgateway.keys.consent.ConsentEngine;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;

/**
 * A patient's signed decision on a Consent, as the patient app sends it: one transaction with the
 * PUT of the decided Consent and a Provenance whose signature is the patient's detached JWS over
 * the Consent's canonical form.
 */
final class SignedApprovals {
  private SignedApprovals() {}

  /** The bytes a patient signs: the canonical form with the version the decision replaces. */
  static byte[] canonical(Consent consent, long replacedVersion) {
    Consent copy = consent.copy();
    copy.setMeta(null);
    copy.getMeta().setVersionId(Long.toString(replacedVersion));
    return ConsentEngine.canonicalForm(copy, Fhir.CTX);
  }

  /**
   * @param id {@code Consent/<id>}
   * @param patient {@code Patient/<id>}, the signer
   * @param jws the detached JWS over {@link #canonical}
   */
  static Bundle transaction(
      GatewayProcess gateway, String id, Consent consent, String patient, String jws) {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    bundle
        .addEntry()
        .setResource(consent)
        .setFullUrl(gateway.fhirBase() + "/" + id)
        .getRequest()
        .setMethod(Bundle.HTTPVerb.PUT)
        .setUrl(id);
    Provenance provenance = new Provenance();
    provenance.addTarget(new Reference(id));
    provenance.setRecorded(new Date());
    provenance.addAgent().setWho(new Reference(patient));
    Signature signature = provenance.addSignature();
    signature.addType(
        new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.1", "Author's Signature"));
    signature.setWhen(new Date()).setWho(new Reference(patient)).setSigFormat("application/jose");
    signature.setData(jws.getBytes(StandardCharsets.UTF_8));
    bundle
        .addEntry()
        .setResource(provenance)
        .setFullUrl("urn:uuid:" + UUID.randomUUID())
        .getRequest()
        .setMethod(Bundle.HTTPVerb.POST)
        .setUrl("Provenance");
    return bundle;
  }
}
