package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionType;

/**
 * Checks a ledger directory offline, trusting only the node's public key: every record's CRC, every
 * transaction's encoding, every record's author signature (one per signed record over its leaf
 * hashes, which must be its entries'; one per transaction in records of the first format), every
 * checkpoint's signature and root.
 *
 * <p>Authors' keys come from the log itself: IDENTITY transactions, signed by the node, carry in
 * their payload the public JWK of their subject. A signature is verified by the key of its author
 * whose RFC 7638 thumbprint is the {@code kid} of the JWS; a later IDENTITY for the same subject
 * adds a key and keeps the earlier ones. A changed entry is named by the leaf hash it no longer
 * matches; a bad record signature is charged to the record's first entry. The directory is only
 * read, never repaired: a torn tail is reported like any other damage.
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
   * A verifier that checks checkpoints and IDENTITY transactions against the node's key.
   *
   * @param nodePublicKey the node's public JWK: signs checkpoints and IDENTITY transactions
   * @param nodeIdentity the author of IDENTITY transactions, e.g. {@code Device/node}
   */
  public static LedgerVerifier create(JWK nodePublicKey, String nodeIdentity) {
    return new LedgerVerifier(
        nodePublicKey, nodeIdentity, EmbeddedLedger.Options.defaults().maxRecordBytes());
  }

  /** Verifies the ledger in {@code dir}; never throws for damage, only reports it. */
  public Verdict verify(Path dir) {
    return verify(dir, LedgerProgress.NONE);
  }

  /**
   * Verifies the ledger in {@code dir}, telling {@code progress} before each record; never throws
   * for damage, only reports it.
   */
  public Verdict verify(Path dir, LedgerProgress progress) {
    Rfc9162MerkleTree tree = Rfc9162MerkleTree.create();
    Keys keys = new Keys();
    try {
      LogScanner.TornTail torn;
      try {
        torn = LogScanner.scan(dir, maxRecordBytes, keys, new Progressing(dir, tree, progress));
      } catch (LedgerCorruptedException e) {
        Verdict badSignature = keys.badSignatureBefore(e.index());
        return badSignature != null ? badSignature : corrupted(tree, e);
      }
      long damaged = torn == null ? Long.MAX_VALUE : torn.damagedIndex();
      Verdict badSignature = keys.badSignatureBefore(damaged);
      if (badSignature != null) {
        return badSignature;
      }
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
      long total = LedgerBackup.segmentBytes(dir);
      progress.progress(tree.size(), total, total);
      return new Verdict(
          true,
          tree.size(),
          checkpoints.size(),
          -1,
          "verified " + tree.size() + " entries and " + checkpoints.size() + " checkpoints");
    } catch (LedgerCorruptedException e) {
      return corrupted(tree, e);
    } catch (IOException e) {
      return new Verdict(false, tree.size(), 0, -1, "cannot read " + dir + ": " + e);
    }
  }

  /** Builds the tree and tells the progress listener where the scan is. */
  private static final class Progressing implements LogScanner.EntryConsumer {
    private final Rfc9162MerkleTree tree;
    private final LedgerProgress progress;
    private final long[] segmentStarts;
    private final long totalBytes;

    Progressing(Path dir, Rfc9162MerkleTree tree, LedgerProgress progress) throws IOException {
      this.tree = tree;
      this.progress = progress;
      List<Integer> segments = LogScanner.segments(dir);
      segmentStarts = new long[segments.size() + 1];
      for (int i = 0; i < segments.size(); i++) {
        long size = Files.size(dir.resolve(RecordFormat.segmentName(segments.get(i))));
        segmentStarts[i + 1] = segmentStarts[i] + size;
      }
      totalBytes = segmentStarts[segments.size()];
    }

    @Override
    public void accept(long index, long location, byte[] entry, byte[] leafHash) {
      tree.append(leafHash);
    }

    @Override
    public void record(long firstIndex, long location) {
      int segment = RecordFormat.segmentOf(location);
      long start = segment < segmentStarts.length ? segmentStarts[segment] : totalBytes;
      progress.progress(firstIndex, start + RecordFormat.offsetOf(location), totalBytes);
    }
  }

  private static Verdict corrupted(Rfc9162MerkleTree tree, LedgerCorruptedException e) {
    return new Verdict(false, tree.size(), 0, e.index(), e.getMessage());
  }

  /**
   * A signature left to check: the index of the first entry it covers, its author's key and what
   * was signed.
   */
  @SuppressWarnings("ArrayRecordComponent") // a queued check, never compared
  private record Pending(
      long index, String author, SignatureVerifier verifier, byte[] input, String jws) {}

  /**
   * Checks each entry and record as the scan hands them over: decodes every entry and finds its
   * signer's key in log order. A signed record needs one signature by its author over its leaf
   * hashes (the scanner has compared them with the entries); a record of the first format one per
   * transaction. Records with IDENTITY transactions are verified at once and their keys learnt,
   * because later entries may need them. The other signatures, the bulk of the work, are checked in
   * batches on all cores; the first bad one is reported after the scan, unless damage comes
   * earlier.
   */
  private final class Keys implements SegmentReader.EntryCheck {
    private static final int BATCH = 4096;
    private static final long BATCH_BYTES = 16 << 20;

    private final Map<String, Map<String, SignatureVerifier>> byIdentity = new HashMap<>();
    private final List<Pending> batch = new ArrayList<>(BATCH);
    private final List<Identity> recordIdentities = new ArrayList<>();
    private long batchBytes;
    private long next;
    private Pending firstBad;

    Keys() {
      try {
        add(nodeIdentity, nodePublicKey);
      } catch (LedgerException e) {
        throw new IllegalArgumentException("node key not usable", e);
      }
    }

    /** Returns null if the entry decodes and has a known key (and, for IDENTITY, verifies). */
    @Override
    public String check(byte[] entry, String recordAuthor) {
      return check(entry, recordAuthor, false);
    }

    /** Returns null if the entry decodes and its signature verifies. */
    @Override
    public String checkDamaged(byte[] entry, String recordAuthor) {
      return check(entry, recordAuthor, true);
    }

    private String check(byte[] entry, String recordAuthor, boolean now) {
      long index = next++;
      Transaction tx;
      try {
        tx = TransactionCodec.decode(entry);
      } catch (LedgerException e) {
        return "undecodable transaction (" + e.getCause() + ")";
      }
      if (recordAuthor != null) {
        return checkInRecord(tx, recordAuthor, now);
      }
      Optional<String> kid = DetachedJws.keyId(tx.signature());
      SignatureVerifier verifier = kid.map(k -> key(tx.author(), k)).orElse(null);
      if (verifier == null) {
        return "no known key of " + tx.author() + " for the signature";
      }
      Pending pending =
          new Pending(
              index, tx.author(), verifier, TransactionCodec.signingInput(tx), tx.signature());
      if (now || tx.type() == TransactionType.IDENTITY) {
        if (!verifies(pending)) {
          return "bad signature by " + tx.author();
        }
        if (tx.type() == TransactionType.IDENTITY) {
          Identity identity = new Identity(tx.subject());
          String problem = parseIdentity(tx, identity);
          return problem != null ? problem : identity.learn();
        }
        return null;
      }
      queue(pending);
      return null;
    }

    /**
     * An entry of a signed record: by the record's author, unsigned; an IDENTITY's key is parsed
     * now (so that a bad one is named) and learnt once the record's signature verifies.
     */
    private String checkInRecord(Transaction tx, String recordAuthor, boolean damaged) {
      String problem = RecordCodec.entryProblem(tx, recordAuthor);
      if (problem != null || tx.type() != TransactionType.IDENTITY) {
        return problem;
      }
      Identity identity = new Identity(tx.subject());
      problem = parseIdentity(tx, identity);
      if (problem == null && !damaged) {
        recordIdentities.add(identity);
      }
      return problem;
    }

    @Override
    public String checkRecord(long firstIndex, RecordCodec.Header header) {
      List<Identity> identities = List.copyOf(recordIdentities);
      recordIdentities.clear();
      Optional<String> kid = DetachedJws.keyId(header.signature());
      SignatureVerifier verifier = kid.map(k -> key(header.author(), k)).orElse(null);
      if (verifier == null) {
        return "no known key of " + header.author() + " for the record signature";
      }
      Pending pending =
          new Pending(
              firstIndex, header.author(), verifier, header.signingInput(), header.signature());
      if (identities.isEmpty()) {
        queue(pending);
        return null;
      }
      if (!verifies(pending)) {
        return "bad signature by " + header.author();
      }
      for (Identity identity : identities) {
        String problem = identity.learn();
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }

    private SignatureVerifier key(String identity, String kid) {
      return byIdentity.getOrDefault(identity, Map.of()).get(kid);
    }

    private void queue(Pending pending) {
      if (firstBad != null) {
        return;
      }
      batch.add(pending);
      batchBytes += pending.input().length;
      if (batch.size() == BATCH || batchBytes >= BATCH_BYTES) {
        flush();
      }
    }

    /** The verdict for the first bad signature at an index below {@code limit}, or null. */
    Verdict badSignatureBefore(long limit) {
      flush();
      if (firstBad == null || firstBad.index() >= limit) {
        return null;
      }
      return new Verdict(
          false,
          firstBad.index(),
          0,
          firstBad.index(),
          "ledger corrupted at entry "
              + firstBad.index()
              + ": bad signature by "
              + firstBad.author());
    }

    private void flush() {
      if (batch.isEmpty()) {
        return;
      }
      batch.parallelStream()
          .filter(p -> !verifies(p))
          .min(Comparator.comparingLong(Pending::index))
          .filter(p -> firstBad == null || p.index() < firstBad.index())
          .ifPresent(p -> firstBad = p);
      batch.clear();
      batchBytes = 0;
    }

    private static boolean verifies(Pending pending) {
      return pending.verifier().verify(pending.input(), pending.jws());
    }

    /** Checks that {@code tx} is an IDENTITY the node issued and reads its key into {@code to}. */
    private String parseIdentity(Transaction tx, Identity to) {
      if (!tx.author().equals(nodeIdentity)) {
        return "IDENTITY not issued by the node";
      }
      try {
        JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
        if (!DetachedJws.isAllowedPublicKey(key)) {
          return "IDENTITY with a private or disallowed key";
        }
        to.key = key;
        return null;
      } catch (ParseException e) {
        return "IDENTITY without a valid public JWK";
      }
    }

    /** A key an IDENTITY transaction binds to its subject, once parsed. */
    private final class Identity {
      final String subject;
      JWK key;

      Identity(String subject) {
        this.subject = subject;
      }

      String learn() {
        try {
          add(subject, key);
          return null;
        } catch (LedgerException e) {
          return "IDENTITY without a valid public JWK";
        }
      }
    }

    private void add(String identity, JWK key) throws LedgerException {
      byIdentity
          .computeIfAbsent(identity, i -> new HashMap<>())
          .put(DetachedJws.thumbprint(key), DetachedJws.verifier(key));
    }
  }
}
