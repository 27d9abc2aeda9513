package org.healthgateway.keys.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.healthgateway.keys.BrokerFixture;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.MemoryKeyLog;
import org.healthgateway.keys.log.WrappedKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recipient registers keys it holds itself; its grants are wrapped again for the new key. */
class GrantRingRewrapTest {

  private static final String PRACTITIONER = "Practitioner/a";

  private static RSAKey nodeHeldKey;

  @TempDir Path dir;

  private BrokerFixture broker;
  private GrantRing grants;
  private MemoryKeyLog log;
  private ECKey walletKey;
  private Grant first;
  private Grant second;
  private Grant patientOwn;

  @BeforeAll
  static void generateKeys() throws Exception {
    nodeHeldKey = KeyPairs.generateRsa();
  }

  @BeforeEach
  void grantTwoPatientsToAPractitionerWhoThenHoldsItsKey() throws Exception {
    broker = BrokerFixture.create(dir);
    grants = broker.grants();
    log = broker.log();
    String p = broker.registerPatient("Patient/p");
    String q = broker.registerPatient("Patient/q");
    broker.registerHeld(PRACTITIONER, nodeHeldKey, KeyPairs.generateEc());
    first = grants.ensure(p, PRACTITIONER, log);
    second = grants.ensure(q, PRACTITIONER, log);
    patientOwn = grants.ensure(p, "Patient/p", log);
    walletKey = KeyPairs.generateEc();
    broker
        .identities()
        .registerPublicKeys(
            PRACTITIONER, walletKey.toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);
    grants.retire(PRACTITIONER);
  }

  private String issuedJwe(Grant grant) throws KeyLogException {
    return new String(log.grant(grant.position()).keys().get(0).wrapped(), StandardCharsets.UTF_8);
  }

  @Test
  void rewrap_wrapsEveryGrantOfTheRecipientForItsNewKeyInOneAppend() throws Exception {
    int appends = log.appends();

    int rewrapped = grants.rewrap(PRACTITIONER, log);

    assertThat(rewrapped).isEqualTo(2);
    assertThat(log.appends()).isEqualTo(appends + 1);
    List<GrantFact> facts = log.grantFacts().subList(3, 5);
    assertThat(facts)
        .extracting(GrantFact::grantId)
        .containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(facts).allSatisfy(f -> assertThat(f.recipient()).isEqualTo(PRACTITIONER));
    assertThat(facts).allSatisfy(f -> assertThat(f.statement()).isEmpty());
    assertThat(facts)
        .flatExtracting(GrantFact::keys)
        .extracting(WrappedKey::algorithm)
        .containsOnly("ECDH-ES+A256KW");
  }

  @Test
  void recipientJwe_afterRewrap_opensWithTheNewPrivateKey() throws Exception {
    grants.rewrap(PRACTITIONER, log);

    for (Grant grant : List.of(first, second)) {
      String jwe = grants.recipientJwe(grant, log);

      assertThat(jwe).isNotEqualTo(issuedJwe(grant));
      assertThat(JweKeyWrapper.create().unwrap(walletKey, jwe).getEncoded())
          .isEqualTo(grants.key(grant, log).getEncoded());
    }
  }

  @Test
  void recipientJwe_otherRecipientsGrant_staysTheIssuedOne() throws Exception {
    grants.rewrap(PRACTITIONER, log);

    assertThat(grants.recipientJwe(patientOwn, log)).isEqualTo(issuedJwe(patientOwn));
  }

  @Test
  void recipientJwe_freshRingReplayingTheLog_isTheRewrap() throws Exception {
    grants.rewrap(PRACTITIONER, log);

    GrantRing replayed = broker.restart().grants();

    assertThat(replayed.recipientJwe(first, log)).isEqualTo(grants.recipientJwe(first, log));
    assertThat(replayed.byId(first.id())).contains(first);
    assertThat(replayed.key(first, log).getEncoded())
        .isEqualTo(grants.key(first, log).getEncoded());
  }

  @Test
  void rewrap_logFails_keepsTheIssuedJwe() throws Exception {
    log.failNextAppend();

    assertThatThrownBy(() -> grants.rewrap(PRACTITIONER, log)).isInstanceOf(KeyLogException.class);

    assertThat(grants.recipientJwe(first, log)).isEqualTo(issuedJwe(first));
    assertThat(log.grantFacts()).hasSize(3);
  }

  @Test
  void rewrap_recipientWithoutGrants_returnsZeroAndAppendsNothing() throws Exception {
    broker.registerPatient("Patient/none");
    int appends = log.appends();

    assertThat(grants.rewrap("Patient/none", log)).isZero();
    assertThat(log.appends()).isEqualTo(appends);
  }

  @Test
  void rewrap_unregisteredRecipient_isRefused() {
    assertThatThrownBy(() -> grants.rewrap("Practitioner/unknown", log))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("no registered key");
  }
}
