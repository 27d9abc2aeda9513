package org.healthgateway.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.grant.Grant;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.internal.AesGcmContentCipher;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.MemoryKeyLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identities, grant keys and envelopes together, over an in-memory key log and a real keystore. */
class EnvelopeTest {
  private static final String REF = "Observation/o1/_history/1";
  private static final String PATIENT = "Patient/p";
  private static final String AUTHOR = "Practitioner/a";
  private static final byte[] CONTENT =
      "{\"resourceType\":\"Observation\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private final MemoryKeyLog log = new MemoryKeyLog();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private EncryptedKeyStore keyStore;
  private Identities identities;
  private GrantRing grants;
  private Envelope envelope;
  private String pseudonym;

  @BeforeEach
  void open() throws Exception {
    keyStore = EncryptedKeyStore.openOrCreate(dir.resolve("keys.bcfks"), "test".toCharArray());
    identities = new Identities(keyStore);
    grants = ring(identities);
    envelope = envelope(grants);
    identities.register(PATIENT, log);
    pseudonym = identities.pseudonym(PATIENT).orElseThrow();
  }

  private GrantRing ring(Identities of) {
    return new GrantRing(of, JweKeyWrapper.create(), Caffeine.newBuilder().build(), meters);
  }

  private Envelope envelope(GrantRing ring) {
    return new Envelope(
        ring,
        AesGcmContentCipher.create(),
        AesKeyWrapper.create(),
        Caffeine.newBuilder().build(),
        meters);
  }

  private static VersionMeta meta(String ref, Envelope.Sealed sealed, long position) {
    String[] parts = ref.split("/");
    Set<String> grantIds = new LinkedHashSet<>();
    sealed.keys().forEach(k -> grantIds.add(k.keyId()));
    return new VersionMeta(
        parts[0],
        parts[1],
        Long.parseLong(parts[3]),
        position,
        Instant.EPOCH,
        false,
        AUTHOR,
        "p",
        grantIds,
        Set.of());
  }

  private byte[] open(Envelope with, VersionMeta meta, Envelope.Sealed sealed, String reader)
      throws Exception {
    Grant grant = with.grantFor(meta, reader).orElseThrow();
    return with.open(meta, pseudonym, sealed.payload(), sealed.keys(), grant, log);
  }

  @Test
  void aadIsReferenceZeroBytePseudonym() {
    assertThat(Envelope.aad("Observation/o1/_history/2", "p-x"))
        .isEqualTo(
            new byte[] {
              'O', 'b', 's', 'e', 'r', 'v', 'a', 't', 'i', 'o', 'n', '/', 'o', '1', '/', '_', 'h',
              'i', 's', 't', 'o', 'r', 'y', '/', '2', 0x00, 'p', '-', 'x'
            });
  }

  @Test
  void everyReaderOpensWhatWasSealedForIt() throws Exception {
    Envelope.Sealed sealed = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT, AUTHOR), log);
    VersionMeta meta = meta(REF, sealed, 100);
    assertThat(open(envelope, meta, sealed, PATIENT)).isEqualTo(CONTENT);
    assertThat(open(envelope, meta, sealed, AUTHOR)).isEqualTo(CONTENT);
    assertThat(envelope.grantFor(meta, "Practitioner/b")).isEmpty();
    assertThat(new String(sealed.payload(), StandardCharsets.ISO_8859_1))
        .doesNotContain("Observation");
  }

  @Test
  void sealingIssuesOneGrantPerPairAndRegistersUnknownReaders() throws Exception {
    envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT, AUTHOR), log);
    envelope.seal("Observation/o2/_history/1", pseudonym, CONTENT, List.of(PATIENT, AUTHOR), log);
    long grantFacts = log.facts().stream().filter(GrantFact.class::isInstance).count();
    assertThat(grantFacts).isEqualTo(2);
    assertThat(identities.isRegistered(AUTHOR)).isTrue();
    assertThat(identities.publicKey(AUTHOR).orElseThrow().getKeyType().getValue()).isEqualTo("RSA");
  }

  @Test
  void contentMovedToAnotherVersionOrPatientDoesNotOpen() throws Exception {
    Envelope.Sealed sealed = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT), log);
    VersionMeta moved = meta("Observation/o1/_history/2", sealed, 100);
    Grant grant = envelope.grantFor(moved, PATIENT).orElseThrow();
    assertThatThrownBy(
            () -> envelope.open(moved, pseudonym, sealed.payload(), sealed.keys(), grant, log))
        .isInstanceOf(GeneralSecurityException.class);
    VersionMeta same = meta(REF, sealed, 101);
    assertThatThrownBy(
            () -> envelope.open(same, "p-other", sealed.payload(), sealed.keys(), grant, log))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void aSecondOpenUsesTheCachedDataKey() throws Exception {
    Envelope.Sealed sealed = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT), log);
    VersionMeta meta = meta(REF, sealed, 100);
    open(envelope, meta, sealed, PATIENT);
    open(envelope, meta, sealed, PATIENT);
    assertThat(meters.counter("gateway.keys.cache", "key", "data", "result", "hit").count())
        .isEqualTo(1.0);
  }

  @Test
  void aRestartedNodeReplaysTheLogAndOpensWithItsCopyOfTheGrant() throws Exception {
    Envelope.Sealed sealed = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT, AUTHOR), log);
    Identities replayedIds = new Identities(keyStore);
    GrantRing replayed = ring(replayedIds);
    List<Object> facts = log.facts();
    for (int i = 0; i < facts.size(); i++) {
      if (facts.get(i) instanceof IdentityFact identity) {
        if (replayedIds.apply(identity)) {
          replayed.retire(identity.subject());
        }
      } else {
        replayed.apply(i, (GrantFact) facts.get(i));
      }
    }
    assertThat(replayedIds.pseudonym(PATIENT)).contains(pseudonym);
    assertThat(open(envelope(replayed), meta(REF, sealed, 100), sealed, AUTHOR)).isEqualTo(CONTENT);
  }

  @Test
  void aRotatedKeyGetsNewGrantsAndRewrapsOpenOldOnes() throws Exception {
    Envelope.Sealed before = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT), log);
    Grant old = envelope.grantFor(meta(REF, before, 100), PATIENT).orElseThrow();
    var wallet = org.healthgateway.keys.KeyPairs.generateEc();
    identities.registerPublicKeys(
        PATIENT, wallet, org.healthgateway.keys.KeyPairs.generateEc(), log);
    grants.retire(PATIENT);
    assertThat(grants.rewrap(PATIENT, log)).isEqualTo(1);
    String jwe = grants.recipientJwe(old, log);
    assertThat(JweKeyWrapper.create().unwrap(wallet, jwe)).isEqualTo(grants.key(old, log));
    Envelope.Sealed after =
        envelope.seal("Observation/o1/_history/2", pseudonym, CONTENT, List.of(PATIENT), log);
    assertThat(after.keys().get(0).keyId()).isNotEqualTo(old.id());
    assertThat(identities.holdsSigningKey(PATIENT)).isFalse();
  }

  @Test
  void nothingIsWrappedWhenTheLogRefusesTheGrant() throws Exception {
    log.failAppends();
    assertThatThrownBy(() -> envelope.seal(REF, pseudonym, CONTENT, List.of(AUTHOR), log))
        .isInstanceOf(KeyLogException.class);
    assertThat(identities.isRegistered(AUTHOR)).isFalse();
    assertThat(grants.grant(pseudonym, AUTHOR)).isEmpty();
  }

  @Test
  void aReleaseMustUseAFreshWellFormedGrantId() throws Exception {
    Envelope.Sealed sealed = envelope.seal(REF, pseudonym, CONTENT, List.of(PATIENT), log);
    String known = sealed.keys().get(0).keyId();
    assertThat(grants.isFreshId(known)).isFalse();
    assertThat(grants.isFreshId("g-short")).isFalse();
    assertThat(grants.isFreshId(GrantRing.newGrantId())).isTrue();
  }
}
