package org.healthgateway.ledger.ethereum;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;

/**
 * Judges every record a follower reads from the chain, trusting nothing but the configured node
 * keys: the bytes must decode as a {@link RecordCodec} record (which checks every leaf hash against
 * its entry), the record signature must verify with a key of its author whose RFC 7638 thumbprint
 * is the JWS {@code kid}, and the same record bytes must not have been applied before (a replay).
 *
 * <p>Authors' keys are learnt as {@code LedgerVerifier} learns them: from IDENTITY transactions
 * issued by the node identity (signed by one of the trusted node keys) in records that verified.
 * Not thread-safe: the follower calls it from one thread.
 */
final class RecordVerifier {

  /** Why a record was refused; the metric tag. */
  enum Reason {
    ENCODING,
    UNKNOWN_KEY,
    SIGNATURE,
    IDENTITY,
    REPLAY,
    TOO_LARGE
  }

  /** The outcome: the record, or the reason it was refused and a message for the log. */
  record Verdict(SignedRecord record, Reason reason, String message) {
    boolean ok() {
      return record != null;
    }
  }

  private final String nodeIdentity;
  private final int maxRecordBytes;
  private final Map<String, Map<String, SignatureVerifier>> keys = new HashMap<>();
  private final Set<Digest> applied = new HashSet<>();

  /**
   * @param nodeIdentity author of IDENTITY transactions, e.g. {@code Device/node}
   * @param trustedNodeKeys public keys of the nodes (of every organization) on this chain
   */
  RecordVerifier(String nodeIdentity, List<JWK> trustedNodeKeys, int maxRecordBytes)
      throws LedgerException {
    this.nodeIdentity = nodeIdentity;
    this.maxRecordBytes = maxRecordBytes;
    for (JWK key : trustedNodeKeys) {
      learn(nodeIdentity, key.toPublicJWK());
    }
  }

  /** Checks {@code bytes}; on success the record counts as applied (a second copy is a replay). */
  Verdict verify(byte[] bytes) {
    if (bytes.length > maxRecordBytes) {
      return refuse(Reason.TOO_LARGE, "record of " + bytes.length + " bytes");
    }
    Digest digest = Digest.of(bytes);
    if (applied.contains(digest)) {
      return refuse(Reason.REPLAY, "record already applied");
    }
    SignedRecord record;
    try {
      record = RecordCodec.decode(bytes);
    } catch (LedgerException e) {
      return refuse(Reason.ENCODING, "invalid record encoding: " + e.getCause().getMessage());
    }
    Optional<String> kid = DetachedJws.keyId(record.signature());
    SignatureVerifier verifier =
        kid.map(k -> keys.getOrDefault(record.author(), Map.of()).get(k)).orElse(null);
    if (verifier == null) {
      return refuse(Reason.UNKNOWN_KEY, "no known key of " + record.author());
    }
    if (!verifier.verify(record.signingInput(), record.signature())) {
      return refuse(Reason.SIGNATURE, "bad record signature by " + record.author());
    }
    String problem = learnIdentities(record);
    if (problem != null) {
      return refuse(Reason.IDENTITY, problem);
    }
    applied.add(digest);
    return new Verdict(record, null, null);
  }

  /** Learns the keys of the record's IDENTITY transactions; all or none. */
  private String learnIdentities(SignedRecord record) {
    List<Map.Entry<String, JWK>> learnt = new ArrayList<>();
    int j = 0;
    for (Transaction tx : record.transactions()) {
      if (tx.type() == TransactionType.IDENTITY) {
        if (!record.author().equals(nodeIdentity)) {
          return "IDENTITY not issued by the node, entry " + j;
        }
        try {
          JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
          if (!DetachedJws.isAllowedPublicKey(key)) {
            return "IDENTITY with a private or disallowed key, entry " + j;
          }
          learnt.add(Map.entry(tx.subject(), key));
        } catch (ParseException e) {
          return "IDENTITY without a valid public JWK, entry " + j;
        }
      }
      j++;
    }
    try {
      for (Map.Entry<String, JWK> e : learnt) {
        learn(e.getKey(), e.getValue());
      }
    } catch (LedgerException e) {
      return "IDENTITY key not usable";
    }
    return null;
  }

  private void learn(String identity, JWK key) throws LedgerException {
    keys.computeIfAbsent(identity, i -> new HashMap<>())
        .put(DetachedJws.thumbprint(key), DetachedJws.verifier(key));
  }

  private static Verdict refuse(Reason reason, String message) {
    return new Verdict(null, reason, message);
  }

  /** SHA-256 of a record's bytes. */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode below use the bytes
  record Digest(byte[] hash) {
    static Digest of(byte[] bytes) {
      try {
        return new Digest(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Digest d && MessageDigest.isEqual(hash, d.hash);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(hash);
    }
  }
}
