package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Fixtures;
import org.healthgateway.ledger.SeedKeys;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionSigner;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Times {@link LedgerVerifier} on a ledger it writes first: {@code versions} resource versions
 * (1000-byte payload, three wrapped keys, ~1.2 KB an entry as in the scale run) in records of
 * {@code batch}, after the node's IDENTITY for the author. {@code format} is {@code signed}
 * (written by {@link EmbeddedLedger}, one signature per record) or {@code first} (the first format,
 * one signature per transaction, written as that code wrote it). Run from the module directory:
 * {@code java -cp target/classes:target/test-classes:<test classpath>
 * org.healthgateway.ledger.embedded.VerifyTiming /tmp/dir 100000 500 signed}.
 */
final class VerifyTiming {
  private static final long SEGMENT_BYTES = 64L << 20;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int versions = Integer.parseInt(args[1]);
    int batchSize = Integer.parseInt(args[2]);
    boolean signed = args.length < 4 || args[3].equals("signed");
    JWK author = Fixtures.ec();
    // The fixed seed node key, so that a ledger written by one run verifies in the next.
    if (Files.isDirectory(dir)) {
      System.out.println("verifying the ledger already in " + dir);
    } else {
      long t0 = System.nanoTime();
      if (signed) {
        writeSigned(dir, author, versions, batchSize);
      } else {
        writeFirstFormat(dir, author, versions, batchSize);
      }
      System.out.printf(
          "wrote %d versions (%s format) in %.1f s%n",
          versions, signed ? "signed" : "first", (System.nanoTime() - t0) / 1e9);
    }
    int rounds = args.length < 5 ? 2 : Integer.parseInt(args[4]);
    for (int round = 0; round < rounds; round++) {
      long s = System.nanoTime();
      LedgerVerifier.Verdict verdict =
          LedgerVerifier.create(SeedKeys.NODE_KEY.toPublicJWK(), Fixtures.NODE).verify(dir);
      double secs = (System.nanoTime() - s) / 1e9;
      System.out.printf(
          "verify: %s in %.2f s, %.0f versions/s%n", verdict.message(), secs, versions / secs);
    }
  }

  private static void writeSigned(Path dir, JWK author, int versions, int batchSize)
      throws Exception {
    try (EmbeddedLedger ledger =
        EmbeddedLedger.open(
            dir,
            CheckpointSigner.of(SeedKeys.NODE_KEY),
            SeedKeys.NODE_KEY.toPublicJWK(),
            EmbeddedLedger.Options.defaults())) {
      ledger.append(
          Fixtures.record(SeedKeys.NODE_KEY, Fixtures.unsignedIdentity("Practitioner/a", author)));
      TransactionSigner signer = DetachedJws.signer(author);
      Random random = new Random(1);
      for (int done = 0; done < versions; ) {
        List<Transaction> batch = new ArrayList<>();
        for (int j = 0; j < batchSize && done < versions; j++, done++) {
          batch.add(version(random, done));
        }
        ledger.append(SignedRecord.sign(batch, signer));
      }
    }
  }

  private static void writeFirstFormat(Path dir, JWK author, int versions, int batchSize)
      throws Exception {
    Files.createDirectories(dir);
    TransactionSigner signer = DetachedJws.signer(author);
    Random random = new Random(1);
    int segment = 0;
    OutputStream out = Files.newOutputStream(dir.resolve(RecordFormat.segmentName(segment)));
    long written = 0;
    byte[] identity =
        FirstFormat.record(
            List.of(
                Fixtures.signed(
                    Fixtures.unsignedIdentity("Practitioner/a", author), SeedKeys.NODE_KEY)));
    out.write(identity);
    written += identity.length;
    for (int done = 0; done < versions; ) {
      List<Transaction> batch = new ArrayList<>();
      for (int j = 0; j < batchSize && done < versions; j++, done++) {
        Transaction tx = version(random, done);
        batch.add(tx.withSignature(signer.sign(TransactionCodec.signingInput(tx))));
      }
      byte[] record = FirstFormat.record(batch);
      if (written + record.length > SEGMENT_BYTES) {
        out.close();
        out = Files.newOutputStream(dir.resolve(RecordFormat.segmentName(++segment)));
        written = 0;
      }
      out.write(record);
      written += record.length;
    }
    out.close();
  }

  static Transaction version(Random random, int n) {
    byte[] payload = new byte[1000];
    random.nextBytes(payload);
    byte[] hash = new byte[32];
    random.nextBytes(hash);
    List<WrappedKey> keys = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      byte[] wrapped = new byte[40];
      random.nextBytes(wrapped);
      keys.add(new WrappedKey("grant-" + k + "-" + (n % 1000), "A256KW", wrapped));
    }
    return new Transaction(
        TransactionType.RESOURCE_VERSION,
        "Observation/" + new UUID(random.nextLong(), random.nextLong()) + "/_history/1",
        "pseudonym-" + (n / 1000),
        List.of("vital-signs"),
        "Practitioner/a",
        Instant.ofEpochMilli(1_767_225_600_000L + n),
        hash,
        payload,
        keys,
        "");
  }

  private VerifyTiming() {}
}
