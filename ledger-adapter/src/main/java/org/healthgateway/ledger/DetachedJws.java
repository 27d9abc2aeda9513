package org.healthgateway.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWK;
import java.text.ParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWS with detached content (RFC 7515 appendix F): {@code base64url(header) ".."
 * base64url(signature)}, where the signed content is supplied separately, e.g. {@link
 * TransactionCodec#signingInput}. The header is {@code {"alg":...,"kid":<RFC 7638 thumbprint>}};
 * only ES256 (EC P-256) and PS256 (RSA >= 3072 bits) are allowed, chosen by the key type.
 */
public final class DetachedJws {

  private static final Logger LOG = LoggerFactory.getLogger(DetachedJws.class);
  private static final Pattern DETACHED = Pattern.compile("([A-Za-z0-9_-]+)\\.\\.([A-Za-z0-9_-]+)");

  private DetachedJws() {}

  /**
   * Signs {@code input} with {@code privateKey}. To sign many inputs with one key, keep a {@link
   * #signer} instead: it converts the key and builds the header once.
   *
   * @throws LedgerException if the key is not an allowed private signing key
   */
  public static String sign(JWK privateKey, byte[] input) throws LedgerException {
    return signer(privateKey).sign(input);
  }

  /**
   * Returns a thread-safe {@link TransactionSigner} for {@code privateKey}, with the key converted
   * and the header built once.
   *
   * @throws LedgerException if the key is not an allowed private signing key
   */
  public static TransactionSigner signer(JWK privateKey) throws LedgerException {
    JWSHeader header;
    JWSSigner signer;
    try {
      header = JwsKeys.header(privateKey);
      signer = JwsKeys.signer(privateKey);
    } catch (JOSEException e) {
      throw new LedgerException("cannot sign: " + e.getMessage(), e);
    }
    return input -> {
      try {
        JWSObject jws = new JWSObject(header, new Payload(input));
        jws.sign(signer);
        return jws.serialize(true);
      } catch (JOSEException e) {
        throw new LedgerException("cannot sign: " + e.getMessage(), e);
      }
    };
  }

  /**
   * Verifies a detached JWS over {@code input} by {@code publicKey}. Fails closed: any malformed
   * serialization, foreign algorithm, extra header parameter, wrong kid or bad signature is {@code
   * false}. To check many signatures by one key, keep a {@link #verifier} instead.
   */
  public static boolean verify(JWK publicKey, byte[] input, String jws) {
    try {
      return verifier(publicKey).verify(input, jws);
    } catch (LedgerException e) {
      LOG.debug("not a verification key", e);
      return false;
    }
  }

  /**
   * Returns a thread-safe {@link SignatureVerifier} for {@code publicKey} with the checks of {@link
   * #verify}, with the key converted once.
   *
   * @throws LedgerException if the key is not an allowed public key
   */
  public static SignatureVerifier verifier(JWK publicKey) throws LedgerException {
    JWK key = publicKey.toPublicJWK();
    JWSAlgorithm alg;
    JWSVerifier verifier;
    String kid;
    try {
      alg = JwsKeys.algorithm(key);
      verifier = JwsKeys.verifier(key);
      kid = JwsKeys.keyId(key);
    } catch (JOSEException e) {
      throw new LedgerException("cannot verify with this key: " + e.getMessage(), e);
    }
    return (input, jws) -> {
      Matcher m = DETACHED.matcher(jws);
      if (!m.matches()
          || !JwsKeys.canonicalBase64Url(m.group(1))
          || !JwsKeys.canonicalBase64Url(m.group(2))) {
        return false;
      }
      try {
        JWSObject parsed = JWSObject.parse(jws, new Payload(input));
        return JwsKeys.headerFits(parsed.getHeader(), alg, kid) && parsed.verify(verifier);
      } catch (ParseException | JOSEException | RuntimeException e) {
        LOG.debug("detached JWS does not verify", e);
        return false;
      }
    };
  }

  /** Returns the RFC 7638 SHA-256 thumbprint of {@code key}, the {@code kid} of its signatures. */
  public static String thumbprint(JWK key) throws LedgerException {
    try {
      return JwsKeys.keyId(key);
    } catch (JOSEException e) {
      throw new LedgerException("cannot compute thumbprint", e);
    }
  }

  /** True if {@code key} is a public key of an allowed type (EC P-256, or RSA >= 3072 bits). */
  public static boolean isAllowedPublicKey(JWK key) {
    try {
      JwsKeys.algorithm(key);
      return !key.isPrivate();
    } catch (JOSEException e) {
      return false;
    }
  }

  /** Returns the {@code kid} of the JWS header, if the serialization parses and has one. */
  public static Optional<String> keyId(String jws) {
    Matcher m = DETACHED.matcher(jws);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(JWSObject.parse(jws, new Payload(new byte[0])).getHeader())
          .map(h -> h.getKeyID());
    } catch (ParseException e) {
      return Optional.empty();
    }
  }
}
