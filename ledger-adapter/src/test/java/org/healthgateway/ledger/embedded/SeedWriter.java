package org.healthgateway.ledger.embedded;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SeedKeys;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Writes the fuzz seeds of this module that are missing (signatures are randomized, so they are
 * generated once and committed; delete a seed to write it again): {@code java -cp <test classpath>
 * org.healthgateway.ledger.embedded.SeedWriter src/test/resources}, from the module directory.
 */
final class SeedWriter {

  private SeedWriter() {}

  public static void main(String[] args) throws Exception {
    Path resources = Path.of(args[0]);
    Transaction identity = identity();
    Transaction version = version();
    write(
        resources,
        "org/healthgateway/ledger/TransactionCodecFuzzTestInputs/"
            + "decode_anyBytes_decodesOrThrowsLedgerException/",
        "identity",
        TransactionCodec.encode(identity));
    write(
        resources,
        "org/healthgateway/ledger/TransactionCodecFuzzTestInputs/"
            + "decode_anyBytes_decodesOrThrowsLedgerException/",
        "resource-version",
        TransactionCodec.encode(version));
    byte[] first =
        FirstFormat.body(
            List.of(TransactionCodec.encode(identity), TransactionCodec.encode(version)));
    byte[] second = FirstFormat.body(List.of(TransactionCodec.encode(version)));
    write(
        resources,
        "org/healthgateway/ledger/embedded/LogScannerFuzzTestInputs/"
            + "scan_anySegmentFile_acceptsCutsOrRefuses/",
        "valid-ledger",
        concat(RecordFormat.frame(first), RecordFormat.frame(second)));
    SignedRecord identityRecord =
        SignedRecord.sign(List.of(unsigned(identity)), DetachedJws.signer(SeedKeys.NODE_KEY));
    SignedRecord versionRecord =
        SignedRecord.sign(
            List.of(unsigned(version), unsigned(version2())),
            DetachedJws.signer(SeedKeys.AUTHOR_KEY));
    String records =
        "org/healthgateway/ledger/RecordCodecFuzzTestInputs/"
            + "decode_anyBytes_decodesOrThrowsLedgerException/";
    write(resources, records, "identity-record", RecordCodec.encode(identityRecord));
    write(resources, records, "two-versions", RecordCodec.encode(versionRecord));
    write(
        resources,
        "org/healthgateway/ledger/embedded/LogScannerFuzzTestInputs/"
            + "scan_anySegmentFile_acceptsCutsOrRefuses/",
        "signed-records",
        concat(
            RecordFormat.frame(RecordCodec.encode(identityRecord)),
            RecordFormat.frame(RecordCodec.encode(versionRecord))));
  }

  private static Transaction unsigned(Transaction signed) {
    return signed.withSignature("");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static Transaction version2() {
    return new Transaction(
        TransactionType.RESOURCE_VERSION,
        "Observation/2/_history/1",
        "p-1",
        List.of("labs"),
        SeedKeys.AUTHOR,
        Instant.ofEpochMilli(1_700_000_000_002L),
        new byte[32],
        "ciphertext 2".getBytes(StandardCharsets.UTF_8),
        List.of(new WrappedKey("g-1", "A256KW", new byte[40])),
        "");
  }

  private static Transaction identity() throws LedgerException {
    Transaction unsigned =
        new Transaction(
            TransactionType.IDENTITY,
            SeedKeys.AUTHOR,
            "",
            List.of(),
            SeedKeys.NODE,
            Instant.ofEpochMilli(1_700_000_000_000L),
            new byte[0],
            SeedKeys.AUTHOR_KEY.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
            List.of(),
            "");
    return unsigned.withSignature(
        DetachedJws.sign(SeedKeys.NODE_KEY, TransactionCodec.signingInput(unsigned)));
  }

  private static Transaction version() throws LedgerException {
    Transaction unsigned =
        new Transaction(
            TransactionType.RESOURCE_VERSION,
            "Observation/1/_history/1",
            "p-1",
            List.of("vital-signs", "labs"),
            SeedKeys.AUTHOR,
            Instant.ofEpochMilli(1_700_000_000_001L),
            new byte[32],
            "ciphertext".getBytes(StandardCharsets.UTF_8),
            List.of(new WrappedKey("g-1", "A256KW", new byte[40])),
            "");
    return unsigned.withSignature(
        DetachedJws.sign(SeedKeys.AUTHOR_KEY, TransactionCodec.signingInput(unsigned)));
  }

  private static void write(Path resources, String dir, String name, byte[] bytes)
      throws Exception {
    Path target = resources.resolve(dir);
    Files.createDirectories(target);
    if (!Files.exists(target.resolve(name))) {
      Files.write(target.resolve(name), bytes);
    }
  }
}
