package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.consent.KeyRule;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.server.audit.AuditTrail;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST [base]/$register-keys}: registers a user's own public keys (an encryption key and a
 * signing key, JWK), so that new grants are wrapped for keys the user holds (a patient's wallet).
 * The token needs the scope {@code register-keys} (checked with the other scopes, in {@code
 * SmartScopeInterceptor}). Every registration carries a proof of possession ({@code proof}); once
 * the user holds its keys, new ones also need a {@code rotationProof} signed by the current signing
 * key; a registrar recovers a patient who lost its keys by naming the patient in {@code patient},
 * and the registration is recorded in the patient's access log. The broker's {@link KeyRule}
 * decides; this provider gathers the facts and answers through {@link Errors#refuseUnless}. Grants
 * issued before are wrapped again for the new encryption key, so data written before the
 * registration can be released with the new keys.
 */
public final class KeyRegistrationProvider {
  private static final String PATIENT_PREFIX = "Patient/";
  private static final Pattern PATIENT_REFERENCE = Pattern.compile("Patient/[A-Za-z0-9\\-.]{1,64}");
  private static final KeyRule RULE = new KeyRule();

  private final Identities identities;
  private final GrantRing grants;
  private final KeyLog keyLog;
  private final ResourceIndex index;
  private final Set<String> registrars;
  private final AuditTrail audit;

  /**
   * @param keyLog where the new keys and the re-wrapped grants are recorded
   * @param index the node's resources, to find the patient a registrar recovers
   * @param registrars the identities that may register keys for a patient
   */
  public KeyRegistrationProvider(
      Identities identities,
      GrantRing grants,
      KeyLog keyLog,
      ResourceIndex index,
      Set<String> registrars,
      AuditTrail audit) {
    this.identities = identities;
    this.grants = grants;
    this.keyLog = keyLog;
    this.index = index;
    this.registrars = Set.copyOf(registrars);
    this.audit = audit;
  }

  @Operation(name = "$register-keys")
  public Parameters register(
      @OperationParam(name = "encryptionKey", min = 1, max = 1) StringType encryptionKey,
      @OperationParam(name = "signingKey", min = 1, max = 1) StringType signingKey,
      @OperationParam(name = "proof", min = 1, max = 1) StringType proof,
      @OperationParam(name = "rotationProof", max = 1) StringType rotationProof,
      @OperationParam(name = "patient", max = 1) StringType patient) {
    String requester = Requester.current();
    if (encryptionKey == null || signingKey == null || proof == null) {
      throw new InvalidRequestException("$register-keys needs encryptionKey, signingKey and proof");
    }
    boolean recovery = patient != null && patient.hasValue();
    String subject = recovery ? recoveredPatient(requester, patient.getValue()) : requester;
    JWK enc = publicKey(encryptionKey.getValue(), KeyUse.ENCRYPTION);
    JWK sig = publicKey(signingKey.getValue(), KeyUse.SIGNATURE);
    Instant now = Instant.now();
    Errors.refuseUnless(RULE.possession(subject, enc, sig, proof.getValue(), now));
    Errors.refuseUnless(
        RULE.rotation(
            subject,
            recovery,
            identities.signingKey(subject).orElse(null),
            identities.holdsSigningKey(subject),
            enc,
            sig,
            rotationProof == null ? null : rotationProof.getValue(),
            now));
    try {
      identities.registerPublicKeys(subject, enc, sig, keyLog);
      grants.retire(subject);
      grants.rewrap(subject, keyLog);
    } catch (Exception e) {
      throw Errors.map(e);
    }
    if (recovery) {
      VersionMeta record =
          index.current("Patient", subject.substring(PATIENT_PREFIX.length())).orElseThrow();
      audit.accessed(requester, record, "register-keys", null);
    }
    return result(enc, sig);
  }

  /**
   * The patient a registrar recovers. The reference's syntax is the request's shape (400), checked
   * before the rule decides who may recover whom.
   */
  private String recoveredPatient(String requester, String patientRef) {
    if (!PATIENT_REFERENCE.matcher(patientRef).matches()) {
      throw new InvalidRequestException("patient must be a reference Patient/id");
    }
    boolean known = index.isLive("Patient", patientRef.substring(PATIENT_PREFIX.length()));
    Errors.refuseUnless(RULE.recovery(patientRef, registrars.contains(requester), known));
    return patientRef;
  }

  /** The client's key, if {@link KeyRule#key} accepts it for {@code use}; else 422. */
  static JWK publicKey(String json, KeyUse use) {
    JWK key = null;
    Decision decision;
    try {
      key = JWK.parse(json);
      decision = RULE.key(key, use);
    } catch (ParseException e) {
      decision = KeyRule.unsupportedKey(e.getMessage());
    }
    Errors.refuseUnless(decision);
    return key;
  }

  private static Parameters result(JWK enc, JWK sig) {
    try {
      Parameters result = new Parameters();
      result
          .addParameter()
          .setName("encryptionKeyId")
          .setValue(new StringType(KeyPairs.thumbprint(enc)));
      result
          .addParameter()
          .setName("signingKeyId")
          .setValue(new StringType(KeyPairs.thumbprint(sig)));
      return result;
    } catch (GeneralSecurityException e) {
      throw Errors.map(e);
    }
  }
}
