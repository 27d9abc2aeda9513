package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionType;

/**
 * Checks a ledger directory offline, trusting only the node's public key: every record's CRC, every
 * transaction's encoding and author signature, every checkpoint's signature and root.
 *
 * <p>Authors' keys come from the log itself: IDENTITY transactions, signed by the node, carry in
 * their payload the public JWK of their subject. A transaction is verified by the key of its author
 * whose RFC 7638 thumbprint is the {@code kid} of its signature; a later IDENTITY for the same
 * subject adds a key and keeps the earlier ones. The directory is only read, never repaired: a torn
 * tail is reported like any other damage.
 */
public final class LedgerVerifier {

  /**
   * The outcome.
   *
   * @param ok true if everything verified
   * @param entries entries verified before the first problem (all of them if ok)
   * @param checkpoints checkpoints verified
   * @param firstBadIndex index of the entry holding the first problem, or -1
   * @param message what was found
   */
  public record Verdict(
      boolean ok, long entries, long checkpoints, long firstBadIndex, String message) {}

  private final JWK nodePublicKey;
  private final String nodeIdentity;
  private final int maxRecordBytes;

  private LedgerVerifier(JWK nodePublicKey, String nodeIdentity, int maxRecordBytes) {
    this.nodePublicKey = nodePublicKey.toPublicJWK();
    this.nodeIdentity = nodeIdentity;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * @param nodePublicKey the node's public JWK: signs checkpoints and IDENTITY transactions
   * @param nodeIdentity the author of IDENTITY transactions, e.g. {@code Device/node}
   */
  public static LedgerVerifier create(JWK nodePublicKey, String nodeIdentity) {
    return new LedgerVerifier(
        nodePublicKey, nodeIdentity, EmbeddedLedger.Options.defaults().maxRecordBytes());
  }

  /** Verifies the ledger in {@code dir}; never throws for damage, only reports it. */
  public Verdict verify(Path dir) {
    Rfc9162MerkleTree tree = Rfc9162MerkleTree.create();
    Keys keys = new Keys();
    try {
      LogScanner.TornTail torn =
          LogScanner.scan(
              dir,
              maxRecordBytes,
              keys::problem,
              (index, location, entry) -> tree.append(Rfc9162.leafHash(entry)));
      if (torn != null) {
        return new Verdict(
            false,
            tree.size(),
            0,
            torn.damagedIndex(),
            "torn tail at entry " + torn.damagedIndex() + ": " + torn.reason());
      }
      CheckpointLog.Contents contents = CheckpointLog.read(dir.resolve(RecordFormat.CHECKPOINTS));
      List<Checkpoint> checkpoints = CheckpointLog.verify(contents.lines(), nodePublicKey, tree);
      if (contents.tornTail()) {
        return new Verdict(
            false, tree.size(), checkpoints.size(), -1, "torn last line in checkpoints.log");
      }
      return new Verdict(
          true,
          tree.size(),
          checkpoints.size(),
          -1,
          "verified " + tree.size() + " entries and " + checkpoints.size() + " checkpoints");
    } catch (LedgerCorruptedException e) {
      return new Verdict(false, tree.size(), 0, e.index(), e.getMessage());
    } catch (IOException e) {
      return new Verdict(false, tree.size(), 0, -1, "cannot read " + dir + ": " + e);
    }
  }

  /** Public keys by identity and kid, learnt from IDENTITY transactions in log order. */
  private final class Keys {
    private final Map<String, Map<String, JWK>> byIdentity = new HashMap<>();

    Keys() {
      try {
        add(nodeIdentity, nodePublicKey);
      } catch (LedgerException e) {
        throw new IllegalArgumentException("node key not usable", e);
      }
    }

    /** Returns null if the entry decodes and its signature verifies, else the reason. */
    String problem(byte[] entry) {
      Transaction tx;
      try {
        tx = TransactionCodec.decode(entry);
      } catch (LedgerException e) {
        return "undecodable transaction (" + e.getCause() + ")";
      }
      Optional<String> kid = DetachedJws.keyId(tx.signature());
      JWK key = kid.map(k -> byIdentity.getOrDefault(tx.author(), Map.of()).get(k)).orElse(null);
      if (key == null) {
        return "no known key of " + tx.author() + " for the signature";
      }
      if (!DetachedJws.verify(key, TransactionCodec.signingInput(tx), tx.signature())) {
        return "bad signature by " + tx.author();
      }
      return tx.type() == TransactionType.IDENTITY ? learn(tx) : null;
    }

    private String learn(Transaction identity) {
      if (!identity.author().equals(nodeIdentity)) {
        return "IDENTITY not issued by the node";
      }
      try {
        JWK key = JWK.parse(new String(identity.payload(), StandardCharsets.UTF_8));
        if (!DetachedJws.isAllowedPublicKey(key)) {
          return "IDENTITY with a private or disallowed key";
        }
        add(identity.subject(), key);
        return null;
      } catch (ParseException | LedgerException e) {
        return "IDENTITY without a valid public JWK";
      }
    }

    private void add(String identity, JWK key) throws LedgerException {
      byIdentity
          .computeIfAbsent(identity, i -> new HashMap<>())
          .put(DetachedJws.thumbprint(key), key.toPublicJWK());
    }
  }
}
