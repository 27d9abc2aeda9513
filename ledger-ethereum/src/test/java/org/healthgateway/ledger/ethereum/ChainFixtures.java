package org.healthgateway.ledger.ethereum;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/** Keys and records for the chain tests. */
final class ChainFixtures {
  static final String NODE = "Device/node";
  static final String AUTHOR = "Practitioner/a";

  private ChainFixtures() {}

  static JWK ec() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The node's record introducing {@code subject} with {@code key}. */
  static SignedRecord identity(JWK nodeKey, String subject, JWK key) throws LedgerException {
    return registration(TransactionType.IDENTITY, nodeKey, NODE, subject, key);
  }

  /**
   * A record by {@code author} (signed with {@code authorKey}) of one IDENTITY or MEMBER
   * transaction binding {@code key} to {@code subject}.
   */
  static SignedRecord registration(
      TransactionType type, JWK authorKey, String author, String subject, JWK key)
      throws LedgerException {
    return SignedRecord.sign(
        List.of(registrationTx(type, author, subject, key)), DetachedJws.signer(authorKey));
  }

  static Transaction registrationTx(TransactionType type, String author, String subject, JWK key) {
    return new Transaction(
        type,
        subject,
        "",
        List.of(),
        author,
        Instant.ofEpochMilli(1_700_000_000_000L),
        new byte[0],
        key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
        List.of(),
        "");
  }

  /** A record of {@code count} resource versions by {@link #AUTHOR}, numbered from {@code n}. */
  static SignedRecord record(JWK authorKey, int n, int count) throws LedgerException {
    return record(authorKey, AUTHOR, n, count);
  }

  /** A record of {@code count} resource versions by {@code author}, numbered from {@code n}. */
  static SignedRecord record(JWK authorKey, String author, int n, int count)
      throws LedgerException {
    List<Transaction> txs = new java.util.ArrayList<>();
    for (int i = n; i < n + count; i++) {
      txs.add(
          new Transaction(
              TransactionType.RESOURCE_VERSION,
              "Observation/" + i + "/_history/1",
              "p-" + i,
              List.of("vital-signs"),
              author,
              Instant.ofEpochMilli(1_700_000_000_000L + i),
              new byte[32],
              ("ciphertext " + i).getBytes(StandardCharsets.UTF_8),
              List.of(new WrappedKey("grant-" + i, "A256KW", new byte[] {9, 8, (byte) i})),
              ""));
    }
    return SignedRecord.sign(txs, DetachedJws.signer(authorKey));
  }
}
