package org.healthgateway.keys.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.SecretKey;
import org.healthgateway.keys.BrokerFixture;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.MemoryKeyLog;
import org.healthgateway.keys.log.WrappedKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantRingTest {

  private static final String PATIENT = "Patient/p";
  private static final String PRACTITIONER = "Practitioner/a";
  private static final String WALLET = "Patient/w";
  private static final String UNKNOWN = "Patient/r";

  private static RSAKey practitionerKey;
  private static ECKey walletKey;

  @TempDir Path dir;

  private BrokerFixture broker;
  private GrantRing grants;
  private MemoryKeyLog log;
  private String pseudonym;

  @BeforeAll
  static void generateKeys() throws Exception {
    practitionerKey = KeyPairs.generateRsa();
    walletKey = KeyPairs.generateEc();
  }

  @BeforeEach
  void openBroker() throws Exception {
    broker = BrokerFixture.create(dir);
    grants = broker.grants();
    log = broker.log();
    pseudonym = broker.registerPatient(PATIENT);
  }

  /** A recipient whose private keys the node holds. */
  private void registerPractitioner() throws Exception {
    broker.registerHeld(PRACTITIONER, practitionerKey, KeyPairs.generateEc());
  }

  /** A recipient that holds its private keys itself (a wallet): the node has none of them. */
  private void registerWallet() throws Exception {
    broker
        .identities()
        .registerPublicKeys(
            WALLET, walletKey.toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);
  }

  private static SecretKey unwrap(JWK privateKey, WrappedKey jwe) throws GeneralSecurityException {
    return JweKeyWrapper.create()
        .unwrap(privateKey, new String(jwe.wrapped(), StandardCharsets.UTF_8));
  }

  @Test
  void ensure_unknownRecipient_registersItThenIssuesOneGrantInTheLog() throws Exception {
    String recipient = "Practitioner/new";
    int before = log.facts().size();

    Grant grant = grants.ensure(pseudonym, recipient, log);

    assertThat(broker.identities().isRegistered(recipient)).isTrue();
    List<Object> added = log.facts().subList(before, log.facts().size());
    assertThat(added).hasSize(3);
    assertThat(added.subList(0, 2))
        .allSatisfy(f -> assertThat(((IdentityFact) f).subject()).isEqualTo(recipient));
    assertThat(grant.position()).isEqualTo(before + 2L);
    assertThat(grant.id()).matches("g-[A-Za-z0-9_-]{22}");
    assertThat(grant.pseudonym()).isEqualTo(pseudonym);
    assertThat(grant.recipient()).isEqualTo(recipient);
    GrantFact fact = log.grant(grant.position());
    assertThat(fact.recipient()).isEqualTo(recipient);
    assertThat(fact.pseudonym()).isEqualTo(pseudonym);
    assertThat(fact.statement()).isEmpty();
    assertThat(fact.keys())
        .extracting(WrappedKey::keyId)
        .containsExactly(grant.id(), grant.id() + GrantRing.NODE_COPY);
    assertThat(fact.keys())
        .extracting(WrappedKey::algorithm)
        .containsExactly("RSA-OAEP-256", "ECDH-ES+A256KW");
    assertThat(grants.grant(pseudonym, recipient)).contains(grant);
    assertThat(grants.byId(grant.id())).contains(grant);
  }

  @Test
  void ensure_again_returnsTheSameGrantWithoutAppending() throws Exception {
    Grant first = grants.ensure(pseudonym, PATIENT, log);
    int appends = log.appends();

    Grant second = grants.ensure(pseudonym, PATIENT, log);

    assertThat(second).isEqualTo(first);
    assertThat(log.appends()).isEqualTo(appends);
  }

  @Test
  void ensure_otherRecipientOrOtherPatient_issuesAnotherGrant() throws Exception {
    registerPractitioner();
    String other = broker.registerPatient("Patient/q");

    Grant patientOwn = grants.ensure(pseudonym, PATIENT, log);
    Grant practitioner = grants.ensure(pseudonym, PRACTITIONER, log);
    Grant otherPatient = grants.ensure(other, PRACTITIONER, log);

    assertThat(Set.of(patientOwn.id(), practitioner.id(), otherPatient.id())).hasSize(3);
    assertThat(log.grantFacts()).hasSize(3);
  }

  @Test
  void key_opensWithTheRecipientsPrivateKeyAndWithTheNodeCopy() throws Exception {
    registerPractitioner();
    Grant grant = grants.ensure(pseudonym, PRACTITIONER, log);
    List<WrappedKey> keys = log.grant(grant.position()).keys();
    Identities identities = broker.identities();

    byte[] key = grants.key(grant, log).getEncoded();

    assertThat(key).hasSize(32);
    assertThat(unwrap(identities.privateKey(PRACTITIONER).orElseThrow(), keys.get(0)).getEncoded())
        .isEqualTo(key);
    assertThat(unwrap(identities.nodeEncryptionKey(), keys.get(1)).getEncoded()).isEqualTo(key);
  }

  @Test
  void key_afterIssue_comesFromTheCacheWithoutAnUnwrap() throws Exception {
    Grant grant = grants.ensure(pseudonym, PATIENT, log);

    grants.key(grant, log);

    assertThat(broker.count("gateway.keys.cache", "key", "grant", "result", "hit")).isEqualTo(1);
    assertThat(broker.count("gateway.keys.cache", "key", "grant", "result", "miss")).isZero();
  }

  @Test
  void apply_freshRingReplayingTheLog_findsTheGrantsAndOpensThemWithTheNodeCopy() throws Exception {
    registerWallet();
    registerPractitioner();
    Grant wallet = grants.ensure(pseudonym, WALLET, log);
    Grant practitioner = grants.ensure(pseudonym, PRACTITIONER, log);
    byte[] walletGrantKey = grants.key(wallet, log).getEncoded();

    BrokerFixture restarted = broker.restart();

    GrantRing replayed = restarted.grants();
    assertThat(replayed.grant(pseudonym, WALLET)).contains(wallet);
    assertThat(replayed.grant(pseudonym, PRACTITIONER)).contains(practitioner);
    assertThat(replayed.byId(wallet.id())).contains(wallet);
    assertThat(restarted.identities().privateKey(WALLET)).isEmpty();
    assertThat(replayed.key(wallet, log).getEncoded()).isEqualTo(walletGrantKey);
    assertThat(restarted.count("gateway.keys.unwraps", "kind", "grant")).isEqualTo(1);
    assertThat(unwrap(walletKey, log.grant(wallet.position()).keys().get(0)).getEncoded())
        .isEqualTo(walletGrantKey);
  }

  @Test
  void key_grantThisNodeCannotOpen_isRefused() throws Exception {
    registerWallet();
    String id = GrantRing.newGrantId();
    String jwe = JweKeyWrapper.create().wrap(walletKey.toPublicJWK(), DataKeys.newDataKey());
    GrantFact release =
        new GrantFact(
            WALLET,
            pseudonym,
            List.of(new WrappedKey(id, "ECDH-ES+A256KW", jwe.getBytes(StandardCharsets.UTF_8))),
            new byte[0]);
    long position = log.appendGrants(List.of(release)).get(0);
    grants.apply(position, release);

    assertThatThrownBy(() -> grants.key(grants.byId(id).orElseThrow(), log))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("cannot open grant");
  }

  @Test
  void retire_nextEnsureIssuesANewGrant_andTheOldOneStillOpens() throws Exception {
    registerWallet();
    Grant old = grants.ensure(pseudonym, WALLET, log);
    byte[] oldKey = grants.key(old, log).getEncoded();
    ECKey rotated = KeyPairs.generateEc();
    broker
        .identities()
        .registerPublicKeys(
            WALLET, rotated.toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);

    grants.retire(WALLET);

    assertThat(grants.grant(pseudonym, WALLET)).isEmpty();
    Grant fresh = grants.ensure(pseudonym, WALLET, log);
    assertThat(fresh.id()).isNotEqualTo(old.id());
    assertThat(unwrap(rotated, log.grant(fresh.position()).keys().get(0)).getEncoded())
        .isEqualTo(grants.key(fresh, log).getEncoded());
    BrokerFixture restarted = broker.restart();
    assertThat(restarted.grants().grant(pseudonym, WALLET)).contains(fresh);
    assertThat(restarted.grants().key(old, log).getEncoded()).isEqualTo(oldKey);
  }

  @Test
  void ensure_grantAppendFails_issuesNothing_andARetryIssuesTheGrant() throws Exception {
    log.failNextAppend();

    assertThatThrownBy(() -> grants.ensure(pseudonym, PATIENT, log))
        .isInstanceOf(KeyLogException.class);

    assertThat(grants.grant(pseudonym, PATIENT)).isEmpty();
    assertThat(log.grantFacts()).isEmpty();
    Grant grant = grants.ensure(pseudonym, PATIENT, log);
    assertThat(grants.grant(pseudonym, PATIENT)).contains(grant);
    assertThat(log.grantFacts()).hasSize(1);
  }

  @Test
  void ensure_unknownRecipientAndGrantAppendFails_recipientStaysRegistered() throws Exception {
    log.failAppendAfter(1);

    assertThatThrownBy(() -> grants.ensure(pseudonym, UNKNOWN, log))
        .isInstanceOf(KeyLogException.class);

    assertThat(broker.identities().isRegistered(UNKNOWN)).isTrue();
    assertThat(grants.grant(pseudonym, UNKNOWN)).isEmpty();
    int identityFacts = log.identityFacts().size();
    grants.ensure(pseudonym, UNKNOWN, log);
    assertThat(log.identityFacts()).hasSize(identityFacts);
    assertThat(log.grantFacts()).hasSize(1);
  }

  @Test
  void ensure_concurrentlyForOnePair_issuesOneGrant() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Grant>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  start.await();
                  return grants.ensure(pseudonym, UNKNOWN, log);
                }));
      }
      ready.await();
      start.countDown();
      Set<Grant> issued = new HashSet<>();
      for (Future<Grant> result : results) {
        issued.add(result.get());
      }

      assertThat(issued).hasSize(1);
      assertThat(log.grantFacts()).hasSize(1);
      assertThat(log.identityFacts()).filteredOn(f -> f.subject().equals(UNKNOWN)).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
