package org.healthgateway.keys.consent;

import ca.uhn.fhir.context.FhirContext;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.healthgateway.keys.Signatures;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Signature;

/**
 * Who may write a Consent, and which changes of state are allowed (flow 3 of the design): pure
 * logic, no I/O, thread-safe. A practitioner proposes (a new Consent with status {@code proposed}
 * that {@link ConsentEngine#validateProposal} accepts). Only the patient decides: {@code proposed}
 * to {@code active} or {@code rejected}, with a Provenance in the same transaction whose signature
 * is a JWS by the patient's registered signing key over {@link #canonicalForm}; {@code active} to
 * {@code inactive} to revoke. A registrar may act for a custodial patient, recorded by a Provenance
 * naming the registrar as {@code agent.who} and the patient as {@code agent.onBehalfOf}. Consents
 * are never deleted. A refusal is {@link Decision.Kind#DENY} when the requester may not make the
 * change and {@link Decision.Kind#INVALID} when nobody could.
 */
public final class ConsentChangeRule {
  /** Reason when anyone deletes a Consent. */
  public static final String NO_DELETE =
      "Consents are not deleted; the patient sets them to inactive to revoke them";

  /** Reason when someone other than a practitioner proposes. */
  public static final String ONLY_PRACTITIONERS_PROPOSE =
      "Only a practitioner may request access (a Consent with status proposed)";

  private final FhirContext fhir;
  private final ConsentEngine engine;

  public ConsentChangeRule(FhirContext fhir, ConsentEngine engine) {
    this.fhir = Objects.requireNonNull(fhir, "fhir");
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /**
   * The facts of one Consent write.
   *
   * @param id the Consent's id
   * @param previous the current Consent, or null if there is none (or it is deleted)
   * @param previousVersion the current version number (0 if none)
   * @param next the new content, or null for a deletion
   * @param requester who writes, {@code Type/id}
   * @param registrar true if the requester is one of the node's registrars
   * @param custodial true if the node holds the patient's current signing key
   * @param patientSigningKey the patient's registered signing key, or null
   * @param provenances the Provenances written in the same transaction
   */
  public record Change(
      String id,
      Consent previous,
      long previousVersion,
      Consent next,
      String requester,
      boolean registrar,
      boolean custodial,
      JWK patientSigningKey,
      List<Provenance> provenances) {
    public Change {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(requester, "requester");
      provenances = List.copyOf(provenances);
    }
  }

  /**
   * Decides one Consent write. A Consent that does not {@link ConsentEngine#governsAccess} (a
   * treatment, research or advance-directive consent an EHR records) is a clinical record of the
   * patient: this rule permits it and the write rule ({@link ChangeRule}) decides it like any
   * record. A Consent cannot move between the two.
   */
  public Decision decide(Change change) {
    boolean wasAccess = change.previous() != null && ConsentEngine.governsAccess(change.previous());
    boolean isAccess = change.next() != null && ConsentEngine.governsAccess(change.next());
    if (change.previous() != null && change.next() != null && wasAccess != isAccess) {
      return Decision.invalid(
          "A Consent cannot change its scope to or from patient-privacy; write a new Consent");
    }
    if (!wasAccess && !isAccess && (change.previous() != null || change.next() != null)) {
      return Decision.permit("not an access consent: a record under the write rule");
    }
    if (change.next() == null) {
      return Decision.deny(NO_DELETE);
    }
    if (change.previous() == null) {
      return propose(change);
    }
    String patientRef = change.previous().getPatient().getReference();
    boolean forCustodial = change.registrar() && change.custodial();
    if (!change.requester().equals(patientRef) && !forCustodial) {
      return Decision.deny("Only the patient may approve, reject or revoke Consent/" + change.id());
    }
    if (forCustodial && !actsOnBehalfOf(change, patientRef)) {
      return Decision.invalid(
          "A registrar changing a patient's Consent records it with a Provenance in the same"
              + " transaction: agent.who the registrar, agent.onBehalfOf the patient");
    }
    if (!patientRef.equals(change.next().getPatient().getReference())) {
      return Decision.invalid("A Consent cannot change its patient");
    }
    ConsentState from = change.previous().getStatus();
    ConsentState to = change.next().getStatus();
    if (from == ConsentState.PROPOSED
        && (to == ConsentState.ACTIVE || to == ConsentState.REJECTED)) {
      List<String> problems = engine.validateStructure(change.next());
      if (!problems.isEmpty()) {
        return Decision.invalid("Invalid Consent: " + String.join("; ", problems));
      }
      return signedDecision(change, patientRef);
    }
    if (from == ConsentState.ACTIVE && to == ConsentState.INACTIVE) {
      return Decision.permit("the patient revokes");
    }
    return Decision.invalid(
        "A Consent goes from proposed to active or rejected, or from active to inactive;"
            + " not from "
            + code(from)
            + " to "
            + code(to));
  }

  private Decision propose(Change change) {
    if (!change.requester().startsWith("Practitioner/")) {
      return Decision.deny(ONLY_PRACTITIONERS_PROPOSE);
    }
    List<String> problems = engine.validateProposal(change.next(), change.requester());
    if (!problems.isEmpty()) {
      return Decision.invalid("Invalid access request: " + String.join("; ", problems));
    }
    return Decision.permit("a practitioner proposes");
  }

  /**
   * An approval or rejection carries a Provenance targeting the Consent, signed by the patient over
   * the canonical form with {@code meta.versionId} set to the version it replaces (so an old
   * signature cannot approve a changed Consent). Custodial patients may omit it: the node signs
   * with the patient key it holds.
   */
  private Decision signedDecision(Change change, String patientRef) {
    if (change.patientSigningKey() == null) {
      return Decision.deny(patientRef + " has no signing key");
    }
    Optional<Signature> signature = signature(change);
    if (signature.isEmpty()) {
      return change.custodial()
          ? Decision.permit("the node decides for a custodial patient")
          : Decision.invalid(
              "Approving or rejecting a Consent needs a Provenance in the same transaction, signed"
                  + " by the patient");
    }
    String jws = new String(signature.get().getData(), StandardCharsets.UTF_8);
    try {
      Signatures.verifyDetached(
          change.patientSigningKey(), jws, canonicalForm(change.next(), change.previousVersion()));
      return Decision.permit("signed by the patient");
    } catch (GeneralSecurityException e) {
      return Decision.deny(
          "The approval's signature does not verify with the patient's key for this Consent");
    }
  }

  /**
   * The bytes a patient signs to approve or reject: {@link ConsentEngine#canonicalForm} of the
   * Consent with its meta replaced by {@code versionId} = the version it replaces.
   */
  public byte[] canonicalForm(Consent consent, long replacedVersion) {
    Consent copy = consent.copy();
    copy.setMeta(null);
    copy.getMeta().setVersionId(Long.toString(replacedVersion));
    return ConsentEngine.canonicalForm(copy, fhir);
  }

  private static Optional<Signature> signature(Change change) {
    for (Provenance provenance : change.provenances()) {
      if (targets(provenance, change.id()) && provenance.hasSignature()) {
        return Optional.of(provenance.getSignatureFirstRep());
      }
    }
    return Optional.empty();
  }

  private static boolean actsOnBehalfOf(Change change, String patientRef) {
    for (Provenance provenance : change.provenances()) {
      boolean onBehalf =
          provenance.getAgent().stream()
              .anyMatch(
                  a ->
                      change.requester().equals(a.getWho().getReference())
                          && patientRef.equals(a.getOnBehalfOf().getReference()));
      if (targets(provenance, change.id()) && onBehalf) {
        return true;
      }
    }
    return false;
  }

  private static boolean targets(Provenance provenance, String consentId) {
    return provenance.getTarget().stream()
        .anyMatch(t -> consentId.equals(t.getReferenceElement().getIdPart()));
  }

  private static String code(ConsentState state) {
    return state == null ? "none" : state.toCode();
  }
}
