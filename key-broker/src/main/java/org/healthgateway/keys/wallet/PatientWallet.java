package org.healthgateway.keys.wallet;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.KeyWrapper;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;

/**
 * The patient's side of the key broker: the steps the patient app runs in the browser with
 * WebCrypto, in Java for tests, tools and custodial patients. Holds the patient's private keys (an
 * encryption key that grant keys are wrapped for, and a signing key); they never leave it.
 */
public final class PatientWallet {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String patient;
  private final JWK encryptionKey;
  private final JWK signingKey;
  private final RecipientKeyWrapper jwe = JweKeyWrapper.create();
  private final KeyWrapper keyWrap = AesKeyWrapper.create();

  /**
   * @param patient the patient's reference, e.g. {@code Patient/p}
   * @param encryptionKey private JWK (EC P-256 or RSA-3072) grant keys are wrapped for
   * @param signingKey private JWK (EC P-256 or RSA-3072) for approvals and releases
   */
  public PatientWallet(String patient, JWK encryptionKey, JWK signingKey) {
    this.patient = patient;
    this.encryptionKey = encryptionKey;
    this.signingKey = signingKey;
  }

  /** A wallet with fresh EC P-256 keys, as the browser app makes them. */
  public static PatientWallet generate(String patient) throws GeneralSecurityException {
    return new PatientWallet(patient, KeyPairs.generateEc(), KeyPairs.generateEc());
  }

  public String patient() {
    return patient;
  }

  public JWK encryptionPublicKey() {
    return encryptionKey.toPublicJWK();
  }

  public JWK signingPublicKey() {
    return signingKey.toPublicJWK();
  }

  /**
   * Proof of possession for key registration: a JWS by the signing key over {@code
   * {"sub":patient,"enc":thumbprint,"sig":thumbprint,"iat":seconds}}. The encryption key is proven
   * later, by every grant the patient unwraps.
   */
  public String registrationProof() throws GeneralSecurityException {
    return Signatures.sign(signingKey, registrationClaims());
  }

  /**
   * A rotation to the keys of {@code next}: the same claims as {@code next}'s registration proof,
   * signed by this wallet's (the current) signing key.
   */
  public String rotationProof(PatientWallet next) throws GeneralSecurityException {
    return Signatures.sign(signingKey, next.registrationClaims());
  }

  private byte[] registrationClaims() throws GeneralSecurityException {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", patient);
    claims.put("enc", KeyPairs.thumbprint(encryptionKey));
    claims.put("sig", KeyPairs.thumbprint(signingKey));
    claims.put("iat", Instant.now().getEpochSecond());
    return JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8);
  }

  /** Signs canonical bytes (a Consent approval): detached JWS. */
  public String sign(byte[] canonical) throws GeneralSecurityException {
    return Signatures.signDetached(signingKey, canonical);
  }

  /** Opens one of the patient's data keys (what the patient app does to decrypt locally). */
  public SecretKey unwrap(HeldKey key) throws GeneralSecurityException {
    return keyWrap.unwrap(jwe.unwrap(encryptionKey, key.grantJwe()), key.wrappedDataKey());
  }

  /**
   * A data key as the broker hands it to the patient: wrapped under one of the patient's grants.
   */
  @SuppressWarnings("ArrayRecordComponent") // carries the bytes to unwrap, never compared
  public record HeldKey(String reference, String grantJwe, byte[] wrappedDataKey) {}

  /** A signed release, ready to post. */
  @SuppressWarnings("ArrayRecordComponent") // carries the bytes to post, never compared
  public record SignedRelease(byte[] statement, String signature) {}

  /**
   * Re-wraps data keys for an actor: unwraps each of the patient's grant keys with the patient's
   * private key (once per grant), unwraps the data keys, wraps them under a fresh grant key for the
   * actor, wraps that grant key for the actor's public key, and signs the statement.
   */
  public SignedRelease release(
      String consent, String actor, JWK actorEncryptionKey, List<HeldKey> held)
      throws GeneralSecurityException {
    SecretKey actorGrant = DataKeys.newDataKey();
    Map<String, SecretKey> grants = new HashMap<>();
    List<ReleaseStatement.ReleasedKey> keys = new ArrayList<>(held.size());
    for (HeldKey key : held) {
      SecretKey grant = grants.get(key.grantJwe());
      if (grant == null) {
        grant = jwe.unwrap(encryptionKey, key.grantJwe());
        grants.put(key.grantJwe(), grant);
      }
      SecretKey dataKey = keyWrap.unwrap(grant, key.wrappedDataKey());
      keys.add(
          new ReleaseStatement.ReleasedKey(key.reference(), keyWrap.wrap(actorGrant, dataKey)));
    }
    ReleaseStatement statement =
        new ReleaseStatement(
            consent,
            patient,
            actor,
            newGrantId(),
            jwe.wrap(actorEncryptionKey, actorGrant),
            keys,
            Instant.now().getEpochSecond());
    byte[] bytes = statement.toBytes();
    return new SignedRelease(bytes, Signatures.signDetached(signingKey, bytes));
  }

  private static String newGrantId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "g-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
