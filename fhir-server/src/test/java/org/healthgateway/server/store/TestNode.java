package org.healthgateway.server.store;

import ca.uhn.fhir.context.FhirContext;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.ReadRule;
import org.healthgateway.keys.envelope.Envelope;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.internal.AesGcmContentCipher;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.embedded.EmbeddedLedger;

/**
 * A node on a directory, wired as the server wires it (real keystore, embedded ledger with fsync,
 * broker, record store) but without Spring or HTTP; {@link #close} and open again to restart it.
 */
public final class TestNode implements AutoCloseable {
  public static final FhirContext FHIR = FhirContext.forR4Cached();

  public final Ledger ledger;
  public final Identities identities;
  public final LedgerKeyLog keyLog;
  public final TransactionSigning signing;
  public final RecordStore store;
  public final SimpleMeterRegistry meters;
  private final EncryptedKeyStore keys;
  private final boolean ownsLedger;

  private TestNode(
      EncryptedKeyStore keys,
      Ledger ledger,
      boolean ownsLedger,
      SimpleMeterRegistry meters,
      Identities identities,
      LedgerKeyLog keyLog,
      TransactionSigning signing,
      RecordStore store) {
    this.keys = keys;
    this.ledger = ledger;
    this.ownsLedger = ownsLedger;
    this.meters = meters;
    this.identities = identities;
    this.keyLog = keyLog;
    this.signing = signing;
    this.store = store;
  }

  /** Opens the node in {@code dir}, creating keystore and ledger on first use; no snapshots. */
  public static TestNode open(Path dir) throws Exception {
    return open(dir, 0);
  }

  /**
   * Opens the node in {@code dir} with index snapshots ({@code dir/index.snapshot}) every {@code
   * snapshotAfter} entries, none if 0.
   */
  public static TestNode open(Path dir, long snapshotAfter) throws Exception {
    EncryptedKeyStore keys =
        EncryptedKeyStore.openOrCreate(
            dir.resolve("keystore.bcfks"), "test-fixture-password".toCharArray());
    Identities identities = new Identities(keys);
    JWK nodeKey = identities.nodeKey();
    EmbeddedLedger ledger =
        EmbeddedLedger.open(
            dir.resolve("ledger"),
            CheckpointSigner.of(nodeKey),
            nodeKey.toPublicJWK(),
            EmbeddedLedger.Options.defaults());
    return open(dir, keys, identities, ledger, true, snapshotAfter);
  }

  /**
   * Opens a node called {@code node} ({@code Device/<id>}) with its keystore in {@code dir}, on a
   * ledger other nodes share (closed by its owner, not by this node); no snapshots.
   */
  public static TestNode onShared(Path dir, Ledger ledger, String node) throws Exception {
    EncryptedKeyStore keys =
        EncryptedKeyStore.openOrCreate(
            dir.resolve("keystore.bcfks"), "test-fixture-password".toCharArray());
    return open(dir, keys, new Identities(keys, node), ledger, false, 0);
  }

  private static TestNode open(
      Path dir,
      EncryptedKeyStore keys,
      Identities identities,
      Ledger ledger,
      boolean ownsLedger,
      long snapshotAfter)
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    GrantRing grants =
        new GrantRing(identities, JweKeyWrapper.create(), Caffeine.newBuilder().build(), meters);
    TransactionSigning signing = new TransactionSigning(identities);
    FactPositions positions = new FactPositions();
    LedgerKeyLog keyLog = new LedgerKeyLog(ledger, signing, positions);
    RecordStore store =
        new RecordStore(
            FHIR,
            ledger,
            new ResourceIndex(),
            identities,
            grants,
            new Envelope(
                grants,
                AesGcmContentCipher.create(),
                AesKeyWrapper.create(),
                Caffeine.newBuilder().build(),
                meters),
            keyLog,
            signing,
            new ReadRule(new ConsentEngine()),
            Caffeine.newBuilder().build(),
            meters,
            positions,
            new RecordStore.Snapshots(dir.resolve("index.snapshot"), snapshotAfter));
    store.open();
    store.startFollowing();
    return new TestNode(keys, ledger, ownsLedger, meters, identities, keyLog, signing, store);
  }

  /** Stops as the server does: a last index snapshot (if enabled), then the ledger. */
  @Override
  public void close() throws Exception {
    store.close();
    if (ownsLedger) {
      ledger.close();
    }
    keys.close();
  }

  /** Stops without the store's shutdown: no last snapshot, as after a crash. */
  public void crash() throws Exception {
    if (ownsLedger) {
      ledger.close();
    }
    keys.close();
  }

  /** A resource as JSON, for comparing what two nodes open. */
  public String parserText(org.hl7.fhir.instance.model.api.IBaseResource resource) {
    return FHIR.newJsonParser().encodeResourceToString(resource);
  }
}
