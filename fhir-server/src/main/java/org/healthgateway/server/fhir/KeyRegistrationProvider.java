package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.internal.KeyPolicy;
import org.healthgateway.server.security.Requester;
import org.healthgateway.server.store.RecordStore;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code POST [base]/$register-keys}: the authenticated user registers its own public keys (an
 * encryption key and a signing key, JWK) with proof of possession: a JWS by the signing key over
 * {@code {"sub":fhirUser,"enc":thumbprint,"sig":thumbprint,"iat":seconds}}, at most 5 minutes old.
 * New grants are wrapped for the new key; old grants keep opening old data with the old key.
 */
public final class KeyRegistrationProvider {
  private static final long MAX_PROOF_AGE_SECONDS = 300;
  private final RecordStore store;

  public KeyRegistrationProvider(RecordStore store) {
    this.store = store;
  }

  @Operation(name = "$register-keys")
  public Parameters register(
      @OperationParam(name = "encryptionKey", min = 1, max = 1) StringType encryptionKey,
      @OperationParam(name = "signingKey", min = 1, max = 1) StringType signingKey,
      @OperationParam(name = "proof", min = 1, max = 1) StringType proof) {
    String requester = Requester.current();
    if (encryptionKey == null || signingKey == null || proof == null) {
      throw new InvalidRequestException("$register-keys needs encryptionKey, signingKey and proof");
    }
    JWK enc = publicKey(encryptionKey.getValue(), KeyUse.ENCRYPTION);
    JWK sig = publicKey(signingKey.getValue(), KeyUse.SIGNATURE);
    verifyProof(requester, enc, sig, proof.getValue());
    try {
      store.identities().registerPublicKeys(requester, enc, sig, store.ledger());
      store.grants().retire(requester);
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
    } catch (Exception e) {
      throw Errors.map(e);
    }
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

  private static void verifyProof(String requester, JWK enc, JWK sig, String proof) {
    try {
      byte[] payload = Signatures.verify(sig, proof);
      Map<String, Object> claims =
          JSONObjectUtils.parse(new String(payload, StandardCharsets.UTF_8));
      long iat = JSONObjectUtils.getLong(claims, "iat");
      boolean fresh = Math.abs(Instant.now().getEpochSecond() - iat) <= MAX_PROOF_AGE_SECONDS;
      if (!requester.equals(claims.get("sub"))
          || !KeyPairs.thumbprint(enc).equals(claims.get("enc"))
          || !KeyPairs.thumbprint(sig).equals(claims.get("sig"))
          || !fresh) {
        throw new ForbiddenOperationException("The proof of possession does not match");
      }
    } catch (GeneralSecurityException | ParseException e) {
      throw new ForbiddenOperationException("The proof of possession does not verify");
    }
  }
}
