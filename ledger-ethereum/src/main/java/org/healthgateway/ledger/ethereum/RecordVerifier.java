package org.healthgateway.ledger.ethereum;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;

/**
 * Judges every record a follower reads from the chain, in chain order, trusting nothing but the
 * registry keys: the bytes must decode as a {@link RecordCodec} record (which checks every leaf
 * hash against its entry), must not have been applied before (a replay), and the record signature
 * must verify with a key of its author whose RFC 7638 thumbprint is the JWS {@code kid}.
 *
 * <p>Keys are learnt from the chain alone ({@link Membership}): a record signed by a registry key
 * makes its author a founding member bound to that key; a MEMBER transaction by a member admits its
 * subject with the JWK of its payload; IDENTITY transactions by members bind keys to other subjects
 * (practitioners, patients, clients). The member who registered a subject first is the only one who
 * may add keys to it (no member can register a key for another member's subject). A record is
 * applied with all its transactions or refused whole. Not thread-safe: the follower calls it from
 * one thread.
 */
final class RecordVerifier {

  /** Why a record was refused; the metric tag. */
  enum Reason {
    ENCODING,
    UNKNOWN_KEY,
    SIGNATURE,
    IDENTITY,
    MEMBER,
    REPLAY,
    TOO_LARGE
  }

  /** The outcome: the record, or the reason it was refused and a message for the log. */
  record Verdict(SignedRecord record, Reason reason, String message) {
    boolean ok() {
      return record != null;
    }
  }

  private final Membership membership;
  private final int maxRecordBytes;
  private final Map<String, Map<String, SignatureVerifier>> keys = new HashMap<>();
  private final Set<Digest> applied = new HashSet<>();

  RecordVerifier(Membership membership, int maxRecordBytes) {
    this.membership = membership;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Checks {@code bytes}; on success the record counts as applied (a second copy is a replay) and
   * what it registered is learnt.
   *
   * @param firstIndex the log index its first entry gets if it is applied
   */
  Verdict verify(byte[] bytes, long firstIndex) {
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
    String kid = DetachedJws.keyId(record.signature()).orElse("");
    Registration changes = new Registration(membership, record.author(), firstIndex);
    SignatureVerifier verifier = keys.getOrDefault(record.author(), Map.of()).get(kid);
    JWK registryKey = verifier == null ? membership.registryKey(kid) : null;
    if (verifier == null && registryKey == null) {
      return refuse(Reason.UNKNOWN_KEY, "no known key of " + record.author());
    }
    try {
      if (verifier == null) {
        verifier = DetachedJws.verifier(registryKey);
      }
    } catch (LedgerException e) {
      return refuse(Reason.UNKNOWN_KEY, "registry key not usable");
    }
    if (!verifier.verify(record.signingInput(), record.signature())) {
      return refuse(Reason.SIGNATURE, "bad record signature by " + record.author());
    }
    Verdict problem = registryKey == null ? null : changes.found(kid, verifier);
    problem = problem == null ? register(record, changes) : problem;
    if (problem != null) {
      return problem;
    }
    changes.keys.forEach(
        (k, v) -> keys.computeIfAbsent(k.identity(), i -> new HashMap<>()).put(k.thumbprint(), v));
    membership.commit(changes.registrars, changes.memberKeys, changes.admitted);
    applied.add(digest);
    return new Verdict(record, null, null);
  }

  /** Stages the record's IDENTITY and MEMBER transactions; the first refusal, or null. */
  private static Verdict register(SignedRecord record, Registration changes) {
    int j = 0;
    for (Transaction tx : record.transactions()) {
      Verdict problem =
          switch (tx.type()) {
            case IDENTITY -> changes.identity(tx.subject(), key(tx, Reason.IDENTITY, j), j);
            case MEMBER -> changes.member(tx.subject(), key(tx, Reason.MEMBER, j), j);
            default -> null;
          };
      if (problem != null) {
        return problem;
      }
      j++;
    }
    return null;
  }

  /** The public JWK of an IDENTITY or MEMBER payload, or a refusal as the "key". */
  private static Staged key(Transaction tx, Reason reason, int j) {
    try {
      JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
      if (!DetachedJws.isAllowedPublicKey(key)) {
        return Staged.refused(
            refuse(reason, reason + " with a private or disallowed key, entry " + j));
      }
      return new Staged(key, DetachedJws.thumbprint(key), DetachedJws.verifier(key), null);
    } catch (ParseException | LedgerException e) {
      return Staged.refused(refuse(reason, reason + " without a valid public JWK, entry " + j));
    }
  }

  static Verdict refuse(Reason reason, String message) {
    return new Verdict(null, reason, message);
  }

  /** A key of a payload, ready to be learnt, or the refusal of its transaction. */
  record Staged(JWK key, String thumbprint, SignatureVerifier verifier, Verdict refusal) {
    static Staged refused(Verdict refusal) {
      return new Staged(null, null, null, refusal);
    }
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
