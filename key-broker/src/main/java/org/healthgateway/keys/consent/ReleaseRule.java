package org.healthgateway.keys.consent;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;

/**
 * The checks of a key release (flow 4 of the design): pure logic, no I/O, thread-safe. Only the
 * patient releases, under one of its active Consents; the release statement is signed by the
 * patient's registered signing key, names that patient, that Consent and one of its actors, uses a
 * fresh grant id, and holds keys of the patient's own versions inside the Consent's scope only.
 */
public final class ReleaseRule {
  private static final String PATIENT_PREFIX = "Patient/";

  /**
   * Decides whether the requester may release keys under a Consent.
   *
   * @param current the Consent's current version, or null if there is none (or it is deleted)
   * @param consent its content, or null if the node cannot open it
   */
  public Decision consent(
      String consentId, VersionMeta current, Consent consent, String requester) {
    if (current == null || consent == null) {
      return Decision.notFound("Consent/" + consentId);
    }
    if (!requester.equals(PATIENT_PREFIX + current.patientId())) {
      return Decision.deny("Only the patient releases keys for Consent/" + consentId);
    }
    if (!ConsentEngine.governsAccess(consent)) {
      return Decision.invalid(
          "Consent/" + consentId + " is not an access consent (scope patient-privacy)");
    }
    if (consent.getStatus() != ConsentState.ACTIVE) {
      return Decision.invalid("Consent/" + consentId + " is not active");
    }
    return Decision.permit("the patient's active Consent");
  }

  /**
   * Decides a signed statement under a Consent that {@link #consent} permitted.
   *
   * @param patientSigningKey the patient's registered signing key, or null
   * @param freshGrantId whether the statement's grant id is well formed and unused
   */
  public Decision statement(
      ReleaseStatement statement,
      byte[] statementBytes,
      String signature,
      String consentId,
      Consent consent,
      JWK patientSigningKey,
      boolean freshGrantId) {
    String patientRef = consent.getPatient().getReference();
    if (patientSigningKey == null) {
      return Decision.deny(patientRef + " has no signing key");
    }
    try {
      Signatures.verifyDetached(patientSigningKey, signature, statementBytes);
    } catch (GeneralSecurityException e) {
      return Decision.deny("The release is not signed by the patient's key");
    }
    if (!statement.patient().equals(patientRef)
        || !statement.consent().startsWith("Consent/" + consentId)) {
      return Decision.deny("The release names another patient or consent");
    }
    if (!ConsentEngine.actors(consent).contains(statement.actor())) {
      return Decision.deny(statement.actor() + " is not an actor of Consent/" + consentId);
    }
    if (!freshGrantId) {
      return Decision.invalid("The release needs a new, well-formed grant id");
    }
    return Decision.permit("signed by the patient under Consent/" + consentId);
  }

  /**
   * Decides one released key.
   *
   * @param version the version the key's reference names, or null if there is none
   * @param inScope whether the Consent permits the actor to read that version
   */
  public Decision releasedKey(
      String reference, VersionMeta version, String patientId, boolean inScope) {
    if (version == null || version.deleted() || !patientId.equals(version.patientId())) {
      return Decision.deny(reference + " is not a record of this patient");
    }
    if (!inScope) {
      return Decision.deny("The release holds a key outside the consent's scope: " + reference);
    }
    return Decision.permit("in the consent's scope");
  }
}
