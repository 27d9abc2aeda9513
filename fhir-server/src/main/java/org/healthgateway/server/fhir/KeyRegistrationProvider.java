package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.policy.KeyPolicy;
import org.healthgateway.server.audit.AuditTrail;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.RecordStore;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST [base]/$register-keys}: registers a user's own public keys (an encryption key and a
 * signing key, JWK), so that new grants are wrapped for keys the user holds (a patient's wallet).
 * The token needs the scope {@code register-keys} (checked with the other scopes, in {@code
 * SmartScopeInterceptor}). Every registration carries a proof of possession: a JWS by the new
 * signing key over {@code {"sub":fhirUser,"enc":thumbprint,"sig":thumbprint, "iat":seconds}}, at
 * most 5 minutes old. The first keys a user holds itself need only that; once it holds its keys,
 * new ones also need {@code rotationProof}, the same claims signed by the current signing key. A
 * registrar recovers a patient who lost its keys by naming the patient in {@code patient}; the
 * registration is recorded in the patient's access log. Grants issued before are wrapped again for
 * the new encryption key, so data written before the registration can be released with the new
 * keys.
 */
public final class KeyRegistrationProvider {
  private static final long MAX_PROOF_AGE_SECONDS = 300;
  private final RecordStore store;
  private final Set<String> registrars;
  private final AuditTrail audit;

  public KeyRegistrationProvider(RecordStore store, Set<String> registrars, AuditTrail audit) {
    this.store = store;
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
    verifyClaims(subject, enc, sig, sig, proof.getValue(), "proof of possession");
    if (!recovery && holdsOwnKeys(subject)) {
      if (rotationProof == null || !rotationProof.hasValue()) {
        throw new ForbiddenOperationException(
            subject
                + " already holds its keys: new keys need a rotationProof signed by the current"
                + " signing key, or a registrar's recovery");
      }
      JWK current = store.identities().signingKey(subject).orElseThrow();
      verifyClaims(subject, enc, sig, current, rotationProof.getValue(), "rotation proof");
    }
    try {
      store.identities().registerPublicKeys(subject, enc, sig, store.keyLog());
      store.grants().retire(subject);
      store.grants().rewrap(subject, store.keyLog());
    } catch (Exception e) {
      throw Errors.map(e);
    }
    if (recovery) {
      VersionMeta record =
          store.index().current("Patient", subject.substring("Patient/".length())).orElseThrow();
      audit.accessed(requester, record, "register-keys", null);
    }
    return result(enc, sig);
  }

  /** The patient a registrar recovers: only registrars, only live patients of this node. */
  private String recoveredPatient(String requester, String patientRef) {
    if (!registrars.contains(requester)) {
      throw new ForbiddenOperationException(
          "Only a registrar registers keys for someone else (parameter patient)");
    }
    if (!patientRef.matches("Patient/[A-Za-z0-9\\-.]{1,64}")) {
      throw new InvalidRequestException("patient must be a reference Patient/id");
    }
    if (!store.index().isLive("Patient", patientRef.substring("Patient/".length()))) {
      throw new ResourceNotFoundException(patientRef + " is not known");
    }
    return patientRef;
  }

  /** True if the user registered keys it holds itself (the node holds no current private key). */
  private boolean holdsOwnKeys(String subject) {
    return store.identities().signingKey(subject).isPresent()
        && !store.identities().holdsSigningKey(subject);
  }

  /**
   * The client's key, if the key policy accepts it for {@code use}: the checks of every later wrap
   * or signature check with it, so that an accepted key is stored with that use and works (a key
   * that only failed later would fail every write for its owner).
   */
  static JWK publicKey(String json, KeyUse use) {
    try {
      JWK key = JWK.parse(json);
      if (key.isPrivate()) {
        throw new UnprocessableEntityException("Register public keys only: a private key was sent");
      }
      if (use.equals(KeyUse.ENCRYPTION)) {
        KeyPolicy.keyWrapAlgorithm(key);
      } else {
        KeyPolicy.signatureAlgorithm(key);
      }
      return key;
    } catch (ParseException | GeneralSecurityException e) {
      throw new UnprocessableEntityException("Not a supported public JWK: " + e.getMessage());
    }
  }

  /** Checks a JWS by {@code signer} over the registration claims for the new keys. */
  private static void verifyClaims(
      String subject, JWK enc, JWK sig, JWK signer, String jws, String what) {
    try {
      byte[] payload = Signatures.verify(signer, jws);
      Map<String, Object> claims =
          JSONObjectUtils.parse(new String(payload, StandardCharsets.UTF_8));
      long iat = JSONObjectUtils.getLong(claims, "iat");
      boolean fresh = Math.abs(Instant.now().getEpochSecond() - iat) <= MAX_PROOF_AGE_SECONDS;
      if (!subject.equals(claims.get("sub"))
          || !KeyPairs.thumbprint(enc).equals(claims.get("enc"))
          || !KeyPairs.thumbprint(sig).equals(claims.get("sig"))
          || !fresh) {
        throw new ForbiddenOperationException("The " + what + " does not match");
      }
    } catch (GeneralSecurityException | ParseException e) {
      throw new ForbiddenOperationException("The " + what + " does not verify");
    }
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
