package org.healthgateway.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.WrappedKey;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.embedded.EmbeddedLedger;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one ledger (a unit-test double of the chain; {@code ThreeHospitalsTest} runs three
 * real nodes on anvil): what one writes, the other indexes and opens only with keys it holds; a key
 * release of another node counts only where a consent may cover it.
 */
class ForeignEntriesTest {
  private static final String A = "Practitioner/a";
  private static final String B = "Practitioner/b";
  private static final String P = "Patient/p";

  @TempDir Path dir;
  private EncryptedKeyStore chainKeys;
  private SharedLedger shared;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void open() throws Exception {
    chainKeys =
        EncryptedKeyStore.openOrCreate(
            dir.resolve("chain.bcfks"), "test-fixture-password".toCharArray());
    var key = new Identities(chainKeys).nodeKey();
    shared =
        new SharedLedger(
            EmbeddedLedger.open(
                dir.resolve("chain"),
                CheckpointSigner.of(key),
                key.toPublicJWK(),
                EmbeddedLedger.Options.defaults()));
    a = TestNode.onShared(dir.resolve("a"), shared.view(), "Device/hospital-a");
    b = TestNode.onShared(dir.resolve("b"), shared.view(), "Device/hospital-b");
  }

  @AfterEach
  void close() throws Exception {
    a.close();
    b.close();
    shared.close();
    chainKeys.close();
  }

  @Test
  void anotherNodesVersion_isIndexedHere_andOpensOnlyWithAKeyHeldHere() throws Exception {
    List<VersionMeta> told = new ArrayList<>();
    List<IBaseResource> opened = new ArrayList<>();
    b.store.addListener(
        new WriteListener() {
          @Override
          public void written(List<VersionMeta> written, List<IBaseResource> resources) {}

          @Override
          public void foreignWritten(List<VersionMeta> written, List<IBaseResource> resources) {
            told.addAll(written);
            opened.addAll(resources);
          }
        });

    VersionMeta allergy = writeAllergyAtA("a1", "peanut");

    VersionMeta atB = b.store.index().current("AllergyIntolerance", "a1").orElseThrow();
    assertThat(atB.ledgerIndex()).isEqualTo(allergy.ledgerIndex());
    assertThat(atB.author()).isEqualTo(A);
    assertThat(atB.patientId()).isEqualTo("p");
    assertThat(b.store.canRead(atB, B)).isFalse();
    assertThatThrownBy(() -> b.store.read(atB, B)).isInstanceOf(AccessDeniedException.class);
    assertThat(told).extracting(VersionMeta::type).contains("Patient", "AllergyIntolerance");
    assertThat(opened)
        .as("B's node holds no key of A's patient or practitioner")
        .containsOnlyNulls();
    assertThat(b.identities.homeNode(A)).contains("Device/hospital-a");
    assertThat(b.identities.belongsToAnotherNode(A)).isTrue();
    assertThat(b.identities.belongsToAnotherNode(P)).isTrue();
    assertThat(a.identities.belongsToAnotherNode(A)).isFalse();
  }

  @Test
  void aReleaseOfDataKeysThatNoConsentCovers_isIgnored_andCounted() throws Exception {
    VersionMeta allergy = writeAllergyAtA("a1", "peanut");
    String pseudonym = a.identities.pseudonym(P).orElseThrow();
    b.identities.register(B, b.keyLog);

    b.keyLog.appendGrants(List.of(forgedRelease(pseudonym, allergy)));

    assertThat(rejected(a)).isEqualTo(1);

    a.store.setReleaseCheck(
        (patient, recipient, version, at) ->
            patient.equals("p") && recipient.equals(B) && version.patientId().equals("p"));
    b.keyLog.appendGrants(List.of(forgedRelease(pseudonym, allergy)));
    assertThat(rejected(a)).as("covered by a consent: applied").isEqualTo(1);
  }

  @Test
  void aRewrapOfAGrantAnotherNodeIssued_isIgnored() throws Exception {
    VersionMeta allergy = writeAllergyAtA("a1", "peanut");
    String grantOfA = allergy.grantKeyIds().iterator().next();
    String pseudonym = a.identities.pseudonym(P).orElseThrow();

    b.keyLog.appendGrants(
        List.of(
            new GrantFact(
                A,
                pseudonym,
                List.of(new WrappedKey(grantOfA, "ECDH-ES+A256KW", bytes("not A's key"))),
                new byte[0])));

    assertThat(rejected(a)).isEqualTo(1);
  }

  @Test
  void afterARestart_aReleaseThatNoConsentCovers_staysIgnored() throws Exception {
    VersionMeta allergy = writeAllergyAtA("a1", "peanut");
    String pseudonym = a.identities.pseudonym(P).orElseThrow();
    b.keyLog.appendGrants(List.of(forgedRelease(pseudonym, allergy)));

    a.close();
    a = TestNode.onShared(dir.resolve("a"), shared.view(), "Device/hospital-a");

    assertThat(rejected(a)).isEqualTo(1);
    assertThat(a.store.index().current("AllergyIntolerance", "a1")).isPresent();
  }

  private static GrantFact forgedRelease(String pseudonym, VersionMeta version) {
    return new GrantFact(
        B,
        pseudonym,
        List.of(
            new WrappedKey(GrantRing.newGrantId(), "ECDH-ES+A256KW", bytes("a grant key")),
            new WrappedKey(
                GrantRing.RELEASED_PREFIX + version.ledgerIndex(), "A256KW", bytes("forged"))),
        new byte[0]);
  }

  private static double rejected(TestNode node) {
    return node.meters.counter("gateway.ledger.foreign.rejected", "reason", "release").count();
  }

  private VersionMeta writeAllergyAtA(String id, String note) throws Exception {
    Patient patient = new Patient();
    patient.setId(P);
    patient.addName(new HumanName().setFamily("Patient"));
    a.store.write(List.of(Write.of(patient, 1)), Arrays.asList("p"), A);
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setId("AllergyIntolerance/" + id);
    allergy.setPatient(new Reference(P));
    allergy.addNote().setText(note);
    return a.store.write(List.of(Write.of(allergy, 1)), Arrays.asList("p"), A).get(0);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
