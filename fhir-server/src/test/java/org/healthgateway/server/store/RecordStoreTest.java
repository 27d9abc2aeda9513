package org.healthgateway.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record store on a real keystore and embedded ledger: sealing, the read rule, restarts. */
class RecordStoreTest {
  private static final String A = "Practitioner/a";
  private static final String B = "Practitioner/b";
  private static final String P = "Patient/p";

  @TempDir Path dir;
  private TestNode node;

  @BeforeEach
  void open() throws Exception {
    node = TestNode.open(dir);
  }

  @AfterEach
  void close() throws Exception {
    node.close();
  }

  @Test
  void aClinicalVersion_opensForItsAuthorAndItsPatient_notForAnotherPractitioner()
      throws Exception {
    writePatient();
    VersionMeta allergy = write(allergy("a1", "peanut-4711"), 1);

    assertThat(allergy.encrypted()).isTrue();
    assertThat(allergy.patientId()).isEqualTo("p");
    assertThat(note(node.store.read(allergy, A))).isEqualTo("peanut-4711");
    assertThat(note(node.store.read(allergy, P))).isEqualTo("peanut-4711");
    assertThat(node.store.canRead(allergy, B)).isFalse();
    assertThatThrownBy(() -> node.store.read(allergy, B)).isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void theLedger_holdsCiphertext_andTheMetadataTheRulesNeed() throws Exception {
    writePatient();
    VersionMeta allergy = write(allergy("a1", "peanut-4711"), 1);

    var tx = node.ledger.read(allergy.ledgerIndex()).transaction();
    assertThat(new String(tx.payload(), StandardCharsets.ISO_8859_1)).doesNotContain("peanut");
    assertThat(tx.subject()).isEqualTo("AllergyIntolerance/a1/_history/1");
    assertThat(tx.author()).isEqualTo(A);
    assertThat(tx.categories()).isNotEmpty();
    assertThat(tx.patient()).isNotEqualTo("p").isNotBlank();
  }

  @Test
  void aRestart_rebuildsEveryVersion_andOpensThemAsBefore() throws Exception {
    writePatient();
    write(allergy("a1", "first"), 1);
    write(allergy("a1", "second"), 2);

    node.close();
    node = TestNode.open(dir);

    ResourceIndex index = node.store.index();
    assertThat(index.history("AllergyIntolerance", "a1"))
        .extracting(VersionMeta::version)
        .containsExactly(1L, 2L);
    VersionMeta first = index.version("AllergyIntolerance", "a1", 1).orElseThrow();
    VersionMeta current = index.current("AllergyIntolerance", "a1").orElseThrow();
    assertThat(note(node.store.read(first, A))).isEqualTo("first");
    assertThat(note(node.store.read(current, P))).isEqualTo("second");
  }

  @Test
  void aDeletion_isTheNewestVersion_andThePatientsCompartmentLosesIt() throws Exception {
    writePatient();
    write(allergy("a1", "x"), 1);

    node.store.write(List.of(Write.deletion("AllergyIntolerance", "a1", 2)), Arrays.asList("p"), A);

    assertThat(node.store.index().current("AllergyIntolerance", "a1").orElseThrow().deleted())
        .isTrue();
    assertThat(node.store.index().isLive("AllergyIntolerance", "a1")).isFalse();
    assertThat(node.store.index().currentOfPatient("AllergyIntolerance", "p"))
        .noneMatch(meta -> !meta.deleted());
  }

  @Test
  void aDirectoryResource_isPublic_inClear_andFoundByIdentifier() throws Exception {
    Practitioner practitioner = new Practitioner();
    practitioner.setId("Practitioner/c");
    practitioner.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("123");
    practitioner.addName(new HumanName().setFamily("Curie"));

    VersionMeta meta =
        node.store
            .write(List.of(Write.of(practitioner, 1)), Arrays.asList((String) null), A)
            .get(0);

    assertThat(meta.encrypted()).isFalse();
    assertThat(node.store.canRead(meta, B)).isTrue();
    assertThat(((Practitioner) node.store.read(meta, B)).getNameFirstRep().getFamily())
        .isEqualTo("Curie");
    assertThat(
            node.store
                .index()
                .idsWithIdentifier("Practitioner", "http://hl7.org/fhir/sid/us-npi|123"))
        .containsExactly("c");
  }

  @Test
  void readShared_returnsOneInstance_readReturnsCopiesACallerMayChange() throws Exception {
    writePatient();
    VersionMeta allergy = write(allergy("a1", "x"), 1);

    AllergyIntolerance copy = (AllergyIntolerance) node.store.read(allergy, A);
    copy.getNoteFirstRep().setText("changed by the caller");

    assertThat(node.store.readShared(allergy, A)).isSameAs(node.store.readShared(allergy, A));
    assertThat(note(node.store.read(allergy, A))).isEqualTo("x");
  }

  @Test
  void aReadUnderAConsent_namesTheConsentThatPermittedIt_anAuthorsReadNone() throws Exception {
    writePatient();
    org.hl7.fhir.r4.model.Consent consent = new org.hl7.fhir.r4.model.Consent();
    consent.setId("Consent/k1");
    consent.setStatus(org.hl7.fhir.r4.model.Consent.ConsentState.ACTIVE);
    consent
        .getScope()
        .addCoding()
        .setSystem(org.healthgateway.keys.consent.ConsentEngine.CONSENT_SCOPE_SYSTEM)
        .setCode(org.healthgateway.keys.consent.ConsentEngine.PRIVACY_SCOPE);
    consent.setPatient(new Reference(P));
    org.hl7.fhir.r4.model.Consent.ProvisionComponent permit = consent.getProvision();
    permit.setType(org.hl7.fhir.r4.model.Consent.ConsentProvisionType.PERMIT);
    permit.addActor().setReference(new Reference(B));
    permit.addClass_(
        new org.hl7.fhir.r4.model.Coding(
            org.healthgateway.keys.consent.ConsentEngine.RESOURCE_TYPES_SYSTEM,
            "AllergyIntolerance",
            null));
    node.store.setConsentBook(patientId -> List.of(consent));
    node.store.setRecipientPolicy((patientId, resource, categories) -> java.util.Set.of(B));
    VersionMeta allergy = write(allergy("a1", "peanut-4711"), 1);

    // Not read yet: decided on the spot; then remembered from the read.
    assertThat(node.store.grantingConsent(allergy, B)).contains("Consent/k1");
    assertThat(note(node.store.read(allergy, B))).isEqualTo("peanut-4711");
    assertThat(node.store.grantingConsent(allergy, B)).contains("Consent/k1");
    assertThat(node.store.grantingConsent(allergy, A)).isEmpty();
    assertThat(node.store.grantingConsent(allergy, "Practitioner/c")).isEmpty();
  }

  private void writePatient() throws Exception {
    Patient patient = new Patient();
    patient.setId(P);
    patient.addName(new HumanName().setFamily("Patient"));
    node.store.write(List.of(Write.of(patient, 1)), Arrays.asList("p"), A);
  }

  private VersionMeta write(AllergyIntolerance allergy, long version) throws Exception {
    return node.store.write(List.of(Write.of(allergy, version)), Arrays.asList("p"), A).get(0);
  }

  private static AllergyIntolerance allergy(String id, String note) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setId("AllergyIntolerance/" + id);
    allergy.setPatient(new Reference(P));
    allergy.addNote().setText(note);
    return allergy;
  }

  private static String note(Object resource) {
    return ((AllergyIntolerance) resource).getNoteFirstRep().getText();
  }
}
