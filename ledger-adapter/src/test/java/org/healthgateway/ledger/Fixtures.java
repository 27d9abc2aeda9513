package org.healthgateway.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Keys and transactions for tests. */
public final class Fixtures {
  public static final String NODE = "Device/node";
  public static final JWK NODE_KEY = ec();
  public static final JWK PRACTITIONER_KEY = ec();

  private Fixtures() {}

  public static JWK ec() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JWK rsa() {
    try {
      return new RSAKeyGenerator(3072).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned resource-version transaction with every field set. */
  public static Transaction unsigned(String author, int n) {
    return new Transaction(
        TransactionType.RESOURCE_VERSION,
        "Observation/" + n + "/_history/1",
        "p-" + n,
        List.of("vital-signs", "labs"),
        author,
        Instant.ofEpochMilli(1_700_000_000_000L + n),
        new byte[] {1, 2, 3, (byte) n},
        ("ciphertext " + n).getBytes(StandardCharsets.UTF_8),
        List.of(new WrappedKey("grant-" + n, "A256KW", new byte[] {9, 8, (byte) n})),
        "");
  }

  public static Transaction signed(Transaction unsigned, JWK key) throws LedgerException {
    return unsigned.withSignature(DetachedJws.sign(key, TransactionCodec.signingInput(unsigned)));
  }

  /** Signs the transactions as one record with {@code key}. */
  public static SignedRecord record(JWK key, List<Transaction> unsigned) throws LedgerException {
    return SignedRecord.sign(unsigned, DetachedJws.signer(key));
  }

  /** Signs the transactions as one record with {@code key}. */
  public static SignedRecord record(JWK key, Transaction... unsigned) throws LedgerException {
    return record(key, List.of(unsigned));
  }

  /**
   * The node-signed IDENTITY transaction binding {@code subject} to {@code publicKey}, signed on
   * its own as in records of the first format.
   */
  public static Transaction identity(String subject, JWK publicKey) throws LedgerException {
    return signed(unsignedIdentity(subject, publicKey), NODE_KEY);
  }

  /** The IDENTITY transaction binding {@code subject} to {@code publicKey}, unsigned. */
  public static Transaction unsignedIdentity(String subject, JWK publicKey) {
    return new Transaction(
        TransactionType.IDENTITY,
        subject,
        "",
        List.of(),
        NODE,
        Instant.ofEpochMilli(1_700_000_000_000L),
        new byte[0],
        publicKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
        List.of(),
        "");
  }
}
