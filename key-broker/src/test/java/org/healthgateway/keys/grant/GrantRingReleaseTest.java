package org.healthgateway.keys.grant;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;
import org.healthgateway.keys.BrokerFixture;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.MemoryKeyLog;
import org.healthgateway.keys.log.WrappedKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grants a patient's release creates, with data keys released after the fact, and grant ids. */
class GrantRingReleaseTest {

  private static final String PATIENT = "Patient/p";
  private static final String ACTOR = "Practitioner/b";
  private static final String OTHER = "Patient/q";
  private static final byte[] STATEMENT =
      "{\"statement\":\"e30=\",\"signature\":\"x\"}".getBytes(StandardCharsets.UTF_8);

  private static RSAKey actorKey;

  @TempDir Path dir;

  private BrokerFixture broker;
  private GrantRing grants;
  private MemoryKeyLog log;
  private String pseudonym;

  @BeforeAll
  static void generateKeys() throws Exception {
    actorKey = KeyPairs.generateRsa();
  }

  @BeforeEach
  void openBroker() throws Exception {
    broker = BrokerFixture.create(dir);
    grants = broker.grants();
    log = broker.log();
    pseudonym = broker.registerPatient(PATIENT);
    broker.registerHeld(ACTOR, actorKey, KeyPairs.generateEc());
  }

  private static WrappedKey released(long versionPosition, SecretKey grantKey, SecretKey dataKey)
      throws Exception {
    return new WrappedKey(
        GrantRing.RELEASED_PREFIX + versionPosition,
        "A256KW",
        AesKeyWrapper.create().wrap(grantKey, dataKey));
  }

  /** Records a release as the server does: the fact durable in the log, then applied. */
  private Grant release(GrantFact fact) throws Exception {
    long position = log.appendGrants(List.of(fact)).get(0);
    grants.apply(position, fact);
    return grants.byId(fact.grantId()).orElseThrow();
  }

  @Test
  void apply_releasedDataKeys_areFoundByGrantForAndReleasedDataKey() throws Exception {
    String id = GrantRing.newGrantId();
    SecretKey grantKey = DataKeys.newDataKey();
    WrappedKey seven = released(7, grantKey, DataKeys.newDataKey());
    WrappedKey nine = released(9, grantKey, DataKeys.newDataKey());

    Grant grant =
        release(grants.issue(pseudonym, ACTOR, id, grantKey, List.of(seven, nine), STATEMENT));

    assertThat(grant.recipient()).isEqualTo(ACTOR);
    assertThat(grant.pseudonym()).isEqualTo(pseudonym);
    assertThat(grants.grantFor(Set.of(), 7, ACTOR)).contains(grant);
    assertThat(grants.grantFor(Set.of(), 9, ACTOR)).contains(grant);
    assertThat(grants.grantFor(Set.of(), 8, ACTOR)).isEmpty();
    assertThat(grants.grantFor(Set.of(), 7, OTHER)).isEmpty();
    assertThat(grants.releasedDataKey(7, id))
        .hasValueSatisfying(k -> assertThat(k).isEqualTo(seven.wrapped()));
    assertThat(grants.releasedDataKey(9, id))
        .hasValueSatisfying(k -> assertThat(k).isEqualTo(nine.wrapped()));
    assertThat(grants.releasedDataKey(8, id)).isEmpty();
    assertThat(grants.releasedDataKey(7, GrantRing.newGrantId())).isEmpty();
    assertThat(grants.key(grant, log).getEncoded()).isEqualTo(grantKey.getEncoded());
  }

  @Test
  void apply_freshRingReplayingTheLog_findsTheReleasedDataKeys() throws Exception {
    String id = GrantRing.newGrantId();
    SecretKey grantKey = DataKeys.newDataKey();
    WrappedKey seven = released(7, grantKey, DataKeys.newDataKey());
    Grant grant = release(grants.issue(pseudonym, ACTOR, id, grantKey, List.of(seven), STATEMENT));

    GrantRing replayed = broker.restart().grants();

    assertThat(replayed.grantFor(Set.of(), 7, ACTOR)).contains(grant);
    assertThat(replayed.releasedDataKey(7, id))
        .hasValueSatisfying(k -> assertThat(k).isEqualTo(seven.wrapped()));
    assertThat(log.grant(grant.position()).statement()).isEqualTo(STATEMENT);
  }

  @Test
  void grantFor_grantsTheVersionIsWrappedUnder_onlyForTheirRecipient() throws Exception {
    broker.registerPatient(OTHER);
    Grant actor = grants.ensure(pseudonym, ACTOR, log);
    Grant other = grants.ensure(pseudonym, OTHER, log);
    Set<String> wraps = Set.of(GrantRing.newGrantId(), actor.id(), other.id());

    assertThat(grants.grantFor(wraps, 3, ACTOR)).contains(actor);
    assertThat(grants.grantFor(wraps, 3, OTHER)).contains(other);
    assertThat(grants.grantFor(wraps, 3, PATIENT)).isEmpty();
    assertThat(grants.grantFor(Set.of(other.id()), 3, ACTOR)).isEmpty();
  }

  @Test
  void issue_recordsNothing_untilIssued() throws Exception {
    String id = GrantRing.newGrantId();
    SecretKey grantKey = DataKeys.newDataKey();
    int facts = log.facts().size();

    GrantFact fact = grants.issue(pseudonym, ACTOR, id, grantKey, List.of(), STATEMENT);

    assertThat(fact.keys())
        .extracting(WrappedKey::keyId)
        .containsExactly(id, id + GrantRing.NODE_COPY);
    assertThat(log.facts()).hasSize(facts);
    assertThat(grants.byId(id)).isEmpty();
    assertThat(grants.grant(pseudonym, ACTOR)).isEmpty();
    assertThat(grants.isFreshId(id)).isTrue();

    long position = log.appendGrants(List.of(fact)).get(0);
    Grant grant = new Grant(id, pseudonym, ACTOR, position);
    grants.issued(grant, grantKey);

    assertThat(grants.grant(pseudonym, ACTOR)).contains(grant);
    assertThat(grants.isFreshId(id)).isFalse();
    assertThat(grants.key(grant, log)).isEqualTo(grantKey);
    assertThat(broker.count("gateway.keys.cache", "key", "grant", "result", "hit")).isEqualTo(1);
  }

  /** A practitioner who holds its keys itself, and a patient's release to it of version 7. */
  private Grant releaseToAWallet(String wallet, ECKey walletKey) throws Exception {
    broker
        .identities()
        .registerPublicKeys(
            wallet, walletKey.toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);
    String id = GrantRing.newGrantId();
    SecretKey grantKey = DataKeys.newDataKey();
    String jwe = JweKeyWrapper.create().wrap(walletKey.toPublicJWK(), grantKey);
    return release(
        new GrantFact(
            wallet,
            pseudonym,
            List.of(
                new WrappedKey(id, "ECDH-ES+A256KW", jwe.getBytes(StandardCharsets.UTF_8)),
                released(7, grantKey, DataKeys.newDataKey())),
            STATEMENT));
  }

  @Test
  void ensure_afterAReleaseTheNodeCannotOpen_wrapsNewDataUnderAGrantItCanOpen() throws Exception {
    String wallet = "Practitioner/wallet";
    Grant releasedGrant = releaseToAWallet(wallet, KeyPairs.generateEc());

    Grant current = grants.ensure(pseudonym, wallet, log);

    assertThat(current.id()).isNotEqualTo(releasedGrant.id());
    assertThat(grants.key(current, log).getEncoded()).hasSize(32);
    assertThat(grants.grantFor(Set.of(), 7, wallet)).contains(releasedGrant);
    assertThat(broker.restart().grants().grant(pseudonym, wallet)).contains(current);
  }

  @Test
  void rewrap_afterRotation_rewrapsTheNodesGrantsAndLeavesThePatientsRelease() throws Exception {
    String wallet = "Practitioner/wallet";
    Grant releasedGrant = releaseToAWallet(wallet, KeyPairs.generateEc());
    Grant nodeGrant = grants.ensure(pseudonym, wallet, log);
    String releasedJwe = grants.recipientJwe(releasedGrant, log);
    ECKey rotated = KeyPairs.generateEc();
    broker
        .identities()
        .registerPublicKeys(
            wallet, rotated.toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);
    grants.retire(wallet);

    assertThat(grants.rewrap(wallet, log)).isEqualTo(1);

    assertThat(JweKeyWrapper.create().unwrap(rotated, grants.recipientJwe(nodeGrant, log)))
        .isEqualTo(grants.key(nodeGrant, log));
    assertThat(grants.recipientJwe(releasedGrant, log)).isEqualTo(releasedJwe);
  }

  @Test
  void isFreshId_newId_true_knownId_false() throws Exception {
    Grant known = grants.ensure(pseudonym, ACTOR, log);

    assertThat(grants.isFreshId(GrantRing.newGrantId())).isTrue();
    assertThat(grants.isFreshId(known.id())).isFalse();
  }

  @Test
  void isFreshId_malformedIds_false() {
    List<String> malformed =
        List.of(
            "",
            "g-",
            "g-short",
            "g-" + "A".repeat(15),
            "g-" + "A".repeat(65),
            "x-AAAAAAAAAAAAAAAAAAAAAA",
            "G-AAAAAAAAAAAAAAAAAAAAAA",
            "g-AAAAAAAAAAAAAAAAAAAAA=",
            "g-AAAAAAAAAAAAAAAAAAAAA+",
            "g-AAAAAAAAAAAAAAAAAAAAA/",
            "g-AAAAAAAAAAAAAAAAAAAAAA#node",
            "g-AAAAAAAAAAAAAAAAAAAAAA\n",
            " g-AAAAAAAAAAAAAAAAAAAAAA",
            "L42");

    assertThat(malformed).filteredOn(grants::isFreshId).isEmpty();
    assertThat(grants.isFreshId("g-" + "A".repeat(16))).isTrue();
    assertThat(grants.isFreshId("g-" + "A".repeat(64))).isTrue();
  }
}
