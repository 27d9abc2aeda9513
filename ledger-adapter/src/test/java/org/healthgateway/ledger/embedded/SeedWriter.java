package org.healthgateway.ledger.embedded;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SeedKeys;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Writes the fuzz seeds of this module (signatures are randomized, so they are generated once and
 * committed): {@code java -cp <test classpath> org.healthgateway.ledger.embedded.SeedWriter
 * src/test/resources}, from the module directory.
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
        RecordFormat.encode(
            List.of(TransactionCodec.encode(identity), TransactionCodec.encode(version)));
    byte[] second = RecordFormat.encode(List.of(TransactionCodec.encode(version)));
    byte[] segment = new byte[first.length + second.length];
    System.arraycopy(first, 0, segment, 0, first.length);
    System.arraycopy(second, 0, segment, first.length, second.length);
    write(
        resources,
        "org/healthgateway/ledger/embedded/LogScannerFuzzTestInputs/"
            + "scan_anySegmentFile_acceptsCutsOrRefuses/",
        "valid-ledger",
        segment);
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
    Files.write(target.resolve(name), bytes);
  }
}
