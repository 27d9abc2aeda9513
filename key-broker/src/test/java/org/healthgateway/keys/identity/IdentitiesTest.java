package org.healthgateway.keys.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.util.List;
import org.healthgateway.keys.BrokerFixture;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.MemoryKeyLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentitiesTest {

  private static final String PATIENT = "Patient/p";
  private static final String PRACTITIONER = "Practitioner/a";

  @TempDir Path dir;

  private BrokerFixture broker;
  private EncryptedKeyStore keyStore;
  private Identities identities;
  private MemoryKeyLog log;

  @BeforeEach
  void openBroker() throws Exception {
    broker = BrokerFixture.create(dir);
    keyStore = broker.keyStore();
    identities = broker.identities();
    log = broker.log();
  }

  private static String thumbprint(JWK key) throws Exception {
    return KeyPairs.thumbprint(key);
  }

  @Test
  void register_patient_makesEcKeysInKeystoreAndTwoFactsWithOnePseudonym() throws Exception {
    identities.register(PATIENT, log);

    JWK encryption = keyStore.get(PATIENT).orElseThrow();
    JWK signing = keyStore.get(PATIENT + Identities.SIGNING_SUFFIX).orElseThrow();
    assertThat(encryption.getKeyType()).isEqualTo(KeyType.EC);
    assertThat(encryption.toECKey().getCurve()).isEqualTo(Curve.P_256);
    assertThat(signing.toECKey().getCurve()).isEqualTo(Curve.P_256);
    List<IdentityFact> facts = log.identityFacts();
    assertThat(facts).hasSize(2);
    assertThat(log.appends()).isEqualTo(1);
    String pseudonym = facts.get(0).pseudonym();
    assertThat(pseudonym).matches("p-[A-Za-z0-9_-]{22}");
    assertThat(facts).allSatisfy(f -> assertThat(f.subject()).isEqualTo(PATIENT));
    assertThat(facts).allSatisfy(f -> assertThat(f.pseudonym()).isEqualTo(pseudonym));
    assertThat(facts).allSatisfy(f -> assertThat(f.publicKey().isPrivate()).isFalse());
    assertThat(facts.get(0).publicKey().getKeyUse()).isEqualTo(KeyUse.ENCRYPTION);
    assertThat(thumbprint(facts.get(0).publicKey())).isEqualTo(thumbprint(encryption));
    assertThat(facts.get(1).publicKey().getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
    assertThat(thumbprint(facts.get(1).publicKey())).isEqualTo(thumbprint(signing));
    assertThat(identities.isRegistered(PATIENT)).isTrue();
    assertThat(identities.publicKey(PATIENT)).contains(facts.get(0).publicKey());
    assertThat(identities.signingKey(PATIENT)).contains(facts.get(1).publicKey());
    assertThat(identities.pseudonym(PATIENT)).contains(pseudonym);
    assertThat(identities.patientOf(pseudonym)).contains(PATIENT);
  }

  @Test
  void register_practitioner_makesRsa3072EncryptionKeyEcSigningKeyAndNoPseudonym()
      throws Exception {
    identities.register(PRACTITIONER, log);

    JWK encryption = keyStore.get(PRACTITIONER).orElseThrow();
    assertThat(encryption.getKeyType()).isEqualTo(KeyType.RSA);
    assertThat(encryption.size()).isEqualTo(3072);
    JWK signing = keyStore.get(PRACTITIONER + Identities.SIGNING_SUFFIX).orElseThrow();
    assertThat(signing.toECKey().getCurve()).isEqualTo(Curve.P_256);
    assertThat(log.identityFacts()).hasSize(2).allSatisfy(f -> assertThat(f.pseudonym()).isEmpty());
    assertThat(identities.publicKey(PRACTITIONER).orElseThrow().getKeyType())
        .isEqualTo(KeyType.RSA);
    assertThat(identities.pseudonym(PRACTITIONER)).isEmpty();
  }

  @Test
  void register_twice_doesNothing() throws Exception {
    identities.register(PATIENT, log);
    JWK first = identities.publicKey(PATIENT).orElseThrow();

    identities.register(PATIENT, log);

    assertThat(log.appends()).isEqualTo(1);
    assertThat(keyStore.all(PATIENT)).hasSize(1);
    assertThat(identities.publicKey(PATIENT)).contains(first);
  }

  @Test
  void registerPublicKeys_afterRegister_replacesKeysAndKeepsPseudonym() throws Exception {
    identities.register(PATIENT, log);
    String pseudonym = identities.pseudonym(PATIENT).orElseThrow();
    ECKey walletEncryption = KeyPairs.generateEc();
    ECKey walletSigning = KeyPairs.generateEc();

    identities.registerPublicKeys(
        PATIENT, walletEncryption.toPublicJWK(), walletSigning.toPublicJWK(), log);

    assertThat(thumbprint(identities.publicKey(PATIENT).orElseThrow()))
        .isEqualTo(thumbprint(walletEncryption));
    assertThat(thumbprint(identities.signingKey(PATIENT).orElseThrow()))
        .isEqualTo(thumbprint(walletSigning));
    assertThat(identities.pseudonym(PATIENT)).contains(pseudonym);
    assertThat(log.identityFacts())
        .hasSize(4)
        .allSatisfy(f -> assertThat(f.pseudonym()).isEqualTo(pseudonym));
  }

  @Test
  void registerPublicKeys_unknownPatient_getsAPseudonym() throws Exception {
    identities.registerPublicKeys(
        PATIENT, KeyPairs.generateEc().toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);

    String pseudonym = identities.pseudonym(PATIENT).orElseThrow();
    assertThat(pseudonym).startsWith("p-");
    assertThat(identities.patientOf(pseudonym)).contains(PATIENT);
    assertThat(keyStore.get(PATIENT)).isEmpty();
  }

  @Test
  void registerPublicKeys_privateKeysPassed_logHoldsPublicHalvesOnly() throws Exception {
    identities.registerPublicKeys(PATIENT, KeyPairs.generateEc(), KeyPairs.generateEc(), log);

    assertThat(log.identityFacts())
        .allSatisfy(f -> assertThat(f.publicKey().isPrivate()).isFalse());
    assertThat(identities.publicKey(PATIENT).orElseThrow().isPrivate()).isFalse();
  }

  @Test
  void holdsSigningKey_nodeMadeKeys_true() throws Exception {
    identities.register(PATIENT, log);

    assertThat(identities.holdsSigningKey(PATIENT)).isTrue();
  }

  @Test
  void holdsSigningKey_afterWalletRegisteredItsKeys_false() throws Exception {
    identities.register(PATIENT, log);

    identities.registerPublicKeys(
        PATIENT, KeyPairs.generateEc().toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);

    assertThat(identities.holdsSigningKey(PATIENT)).isFalse();
    assertThat(keyStore.get(PATIENT + Identities.SIGNING_SUFFIX)).isPresent();
  }

  @Test
  void holdsSigningKey_unknownIdentity_false() {
    assertThat(identities.holdsSigningKey(PATIENT)).isFalse();
  }

  @Test
  void apply_factsOfTheLog_replayKnowsSameKeysAndPseudonyms() throws Exception {
    identities.register(PATIENT, log);
    identities.register("Patient/q", log);
    identities.registerPublicKeys(
        "Patient/q", KeyPairs.generateEc().toPublicJWK(), KeyPairs.generateEc().toPublicJWK(), log);

    Identities replayed = broker.restart().identities();

    for (String ref : List.of(PATIENT, "Patient/q")) {
      assertThat(replayed.isRegistered(ref)).isTrue();
      assertThat(replayed.publicKey(ref)).isEqualTo(identities.publicKey(ref));
      assertThat(replayed.signingKey(ref)).isEqualTo(identities.signingKey(ref));
      assertThat(replayed.pseudonym(ref)).isEqualTo(identities.pseudonym(ref));
      String pseudonym = replayed.pseudonym(ref).orElseThrow();
      assertThat(replayed.patientOf(pseudonym)).contains(ref);
      assertThat(replayed.holdsSigningKey(ref)).isEqualTo(identities.holdsSigningKey(ref));
    }
    assertThat(replayed.holdsSigningKey(PATIENT)).isTrue();
    assertThat(replayed.holdsSigningKey("Patient/q")).isFalse();
  }

  @Test
  void apply_encryptionFact_true_signingFact_false() throws Exception {
    JWK key = KeyPairs.generateEc().toPublicJWK();
    IdentityFact encryption =
        new IdentityFact(
            PATIENT, "p-x", new ECKey.Builder(key.toECKey()).keyUse(KeyUse.ENCRYPTION).build());
    IdentityFact signing =
        new IdentityFact(
            PATIENT, "p-x", new ECKey.Builder(key.toECKey()).keyUse(KeyUse.SIGNATURE).build());

    assertThat(identities.apply(signing)).isFalse();
    assertThat(identities.isRegistered(PATIENT)).isFalse();
    assertThat(identities.apply(encryption)).isTrue();
    assertThat(identities.isRegistered(PATIENT)).isTrue();
  }

  @Test
  void register_logFails_identityStaysUnregistered_andRetrySucceeds() throws Exception {
    log.failNextAppend();

    assertThatThrownBy(() -> identities.register(PATIENT, log)).isInstanceOf(KeyLogException.class);

    assertThat(log.facts()).isEmpty();
    assertThat(identities.isRegistered(PATIENT)).isFalse();
    assertThat(identities.publicKey(PATIENT)).isEmpty();
    assertThat(identities.signingKey(PATIENT)).isEmpty();
    assertThat(identities.pseudonym(PATIENT)).isEmpty();
    assertThat(identities.holdsSigningKey(PATIENT)).isFalse();

    identities.register(PATIENT, log);

    assertThat(identities.isRegistered(PATIENT)).isTrue();
    assertThat(identities.holdsSigningKey(PATIENT)).isTrue();
    assertThat(thumbprint(identities.publicKey(PATIENT).orElseThrow()))
        .isEqualTo(thumbprint(keyStore.get(PATIENT).orElseThrow()));
  }

  @Test
  void registerPublicKeys_logFails_keepsTheEarlierKeys() throws Exception {
    identities.register(PATIENT, log);
    JWK before = identities.publicKey(PATIENT).orElseThrow();
    log.failNextAppend();

    assertThatThrownBy(
            () ->
                identities.registerPublicKeys(
                    PATIENT,
                    KeyPairs.generateEc().toPublicJWK(),
                    KeyPairs.generateEc().toPublicJWK(),
                    log))
        .isInstanceOf(KeyLogException.class);

    assertThat(identities.publicKey(PATIENT)).contains(before);
    assertThat(identities.holdsSigningKey(PATIENT)).isTrue();
    assertThat(log.identityFacts()).hasSize(2);
  }

  @Test
  void nodeKeys_madeOnceKeptInKeystore_andDistinct() throws Exception {
    JWK node = identities.nodeKey();
    JWK encryption = identities.nodeEncryptionKey();
    Identities afterRestart = broker.restart().identities();

    assertThat(identities.nodeKey()).isEqualTo(node);
    assertThat(afterRestart.nodeKey()).isEqualTo(node);
    assertThat(afterRestart.nodeEncryptionKey()).isEqualTo(encryption);
    assertThat(thumbprint(encryption)).isNotEqualTo(thumbprint(node));
    assertThat(node.isPrivate()).isTrue();
    assertThat(identities.signingPrivateKey(Identities.NODE)).contains(node);
  }

  @Test
  void nodeIdentity_carriesThePublicNodeKeyOnly() throws Exception {
    IdentityFact fact = identities.nodeIdentity();

    assertThat(fact.subject()).isEqualTo(Identities.NODE);
    assertThat(fact.pseudonym()).isEmpty();
    assertThat(fact.publicKey().isPrivate()).isFalse();
    assertThat(thumbprint(fact.publicKey())).isEqualTo(thumbprint(identities.nodeKey()));
  }

  @Test
  void signingPrivateKey_registeredAuthor_isTheKeystoreSigningKey() throws Exception {
    identities.register(PATIENT, log);

    assertThat(identities.signingPrivateKey(PATIENT))
        .isEqualTo(keyStore.get(PATIENT + Identities.SIGNING_SUFFIX));
    assertThat(identities.signingPrivateKey("Patient/unknown")).isEmpty();
  }

  private void assertRefusedAndNothingRecorded(JWK encryption, JWK signing, String message) {
    assertThatThrownBy(() -> identities.registerPublicKeys(PATIENT, encryption, signing, log))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage(message);

    assertThat(log.facts()).isEmpty();
    assertThat(identities.isRegistered(PATIENT)).isFalse();
    assertThat(identities.signingKey(PATIENT)).isEmpty();
    assertThat(identities.pseudonym(PATIENT)).isEmpty();
  }

  @Test
  void registerPublicKeys_rsaBelow3072Bits_isRefusedForEitherKey() throws Exception {
    RSAKey rsa2048 = new RSAKeyGenerator(2048).generate().toPublicJWK();
    JWK ec = KeyPairs.generateEc().toPublicJWK();

    assertRefusedAndNothingRecorded(rsa2048, ec, "RSA keys must have at least 3072 bits");
    assertRefusedAndNothingRecorded(ec, rsa2048, "RSA keys must have at least 3072 bits");
  }

  @Test
  void registerPublicKeys_otherCurve_isRefused() throws Exception {
    JWK p384 = new ECKeyGenerator(Curve.P_384).generate().toPublicJWK();

    assertRefusedAndNothingRecorded(
        p384, KeyPairs.generateEc().toPublicJWK(), "EC keys must be on curve P-256");
  }

  @Test
  void registerPublicKeys_keysMarkedForTheOtherUse_areRefused() throws Exception {
    JWK signing =
        new ECKey.Builder(KeyPairs.generateEc().toPublicJWK()).keyUse(KeyUse.SIGNATURE).build();
    JWK encryption =
        new ECKey.Builder(KeyPairs.generateEc().toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build();

    assertRefusedAndNothingRecorded(signing, signing, "key is marked for use sig");
    assertRefusedAndNothingRecorded(encryption, encryption, "key is marked for use enc");
  }

  @Test
  void registerPublicKeys_keysMarkedForTheirOwnUse_areRecordedWithIt() throws Exception {
    JWK encryption =
        new ECKey.Builder(KeyPairs.generateEc().toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build();
    JWK signing =
        new RSAKey.Builder(KeyPairs.generateRsa().toPublicJWK()).keyUse(KeyUse.SIGNATURE).build();

    identities.registerPublicKeys(PRACTITIONER, encryption, signing, log);

    assertThat(identities.publicKey(PRACTITIONER)).contains(encryption);
    assertThat(identities.signingKey(PRACTITIONER)).contains(signing);
  }

  @Test
  void registerPublicKeys_rotationToARefusedKey_keepsTheEarlierKeys() throws Exception {
    identities.register(PATIENT, log);
    JWK before = identities.publicKey(PATIENT).orElseThrow();
    RSAKey rsa2048 = new RSAKeyGenerator(2048).generate().toPublicJWK();

    assertThatThrownBy(
            () ->
                identities.registerPublicKeys(
                    PATIENT, rsa2048, KeyPairs.generateEc().toPublicJWK(), log))
        .isInstanceOf(InvalidKeyException.class);

    assertThat(identities.publicKey(PATIENT)).contains(before);
    assertThat(identities.holdsSigningKey(PATIENT)).isTrue();
    assertThat(log.identityFacts()).hasSize(2);
  }
}
