package org.healthgateway.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts from the index snapshot on a real keystore and embedded ledger: what a start from the
 * snapshot and its tail knows equals what a full replay knows, and a snapshot that is not the
 * ledger's, or does not open, is never used.
 */
class IndexSnapshotTest {
  private static final String A = "Practitioner/a";
  private static final String NPI = "http://hl7.org/fhir/sid/us-npi";

  @TempDir Path dir;
  private TestNode node;

  @AfterEach
  void close() throws Exception {
    node.close();
  }

  @Test
  void aRestart_startsFromTheSnapshot_andKnowsWhatAFullReplayKnows() throws Exception {
    node = TestNode.open(dir, 1_000);
    writeData("before");
    node.close();
    Path snapshot = dir.resolve("index.snapshot");
    assertThat(snapshot).exists();
    long snapshotSize = IndexSnapshot.readHeader(snapshot).treeSize();

    node = TestNode.open(dir, 1_000);
    writeAllergy("p2", "tail", "written after the snapshot");

    assertThat(node.store.openedFrom()).isEqualTo(snapshotSize).isEqualTo(node.ledger.size() - 1);
    List<String> fromSnapshot = describe(node);
    node.crash();
    Files.delete(snapshot);
    node = TestNode.open(dir, 0);
    assertThat(node.store.openedFrom()).isZero();
    assertThat(describe(node)).isEqualTo(fromSnapshot);
  }

  @Test
  void afterACrash_theLastSnapshotAndTheLedgersTail_giveEveryVersion() throws Exception {
    node = TestNode.open(dir, 1_000);
    writeData("before");
    assertThat(node.store.saveSnapshot()).isTrue();
    long snapshotSize = node.ledger.size();
    writeAllergy("p1", "late", "acknowledged after the snapshot");
    node.crash();

    node = TestNode.open(dir, 1_000);

    assertThat(node.store.openedFrom()).isEqualTo(snapshotSize);
    VersionMeta late = node.store.index().current("AllergyIntolerance", "late").orElseThrow();
    assertThat(note(node.store.read(late, "Patient/p1")))
        .isEqualTo("acknowledged after the snapshot");
    assertThat(note(node.store.read(late, A))).isEqualTo("acknowledged after the snapshot");
  }

  @Test
  void aSnapshotOfAnotherLedger_isNotUsed() throws Exception {
    node = TestNode.open(dir.resolve("one"), 1_000);
    writeData("one");
    node.close();
    TestNode other = TestNode.open(dir.resolve("two"), 1_000);
    writeData(other, "two");
    other.close();
    Files.copy(
        dir.resolve("two/index.snapshot"),
        dir.resolve("one/index.snapshot"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    node = TestNode.open(dir.resolve("one"), 1_000);

    assertThat(node.store.openedFrom()).isZero();
    assertThat(node.store.index().current("AllergyIntolerance", "one-1")).isPresent();
    assertThat(node.store.index().current("AllergyIntolerance", "two-1")).isEmpty();
  }

  @Test
  void aDamagedSnapshot_isNotUsed_andTheFullReplayIsRight() throws Exception {
    node = TestNode.open(dir, 1_000);
    writeData("x");
    node.close();
    Path snapshot = dir.resolve("index.snapshot");
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[bytes.length - 40] ^= 0x01;
    Files.write(snapshot, bytes);

    node = TestNode.open(dir, 1_000);

    assertThat(node.store.openedFrom()).isZero();
    VersionMeta allergy = node.store.index().current("AllergyIntolerance", "x-1").orElseThrow();
    assertThat(note(node.store.read(allergy, A))).isEqualTo("x note 1");
  }

  @Test
  void theSnapshot_showsItsHeader_butNoIdOrPatient() throws Exception {
    node = TestNode.open(dir, 1_000);
    writeData("secret-looking-id");
    node.close();

    String file =
        new String(Files.readAllBytes(dir.resolve("index.snapshot")), StandardCharsets.ISO_8859_1);

    assertThat(file.substring(4, 8)).isEqualTo("HGIS");
    assertThat(file)
        .doesNotContain("secret-looking-id")
        // Not the bare id "p1": two characters turn up by chance in the sealed bytes.
        .doesNotContain("Patient")
        .doesNotContain(prefixedPractitioner("secret-looking-id"));
  }

  @Test
  void enoughNewEntries_writeASnapshotInTheBackground() throws Exception {
    node = TestNode.open(dir, 5);
    Path snapshot = dir.resolve("index.snapshot");

    writeData("bg");

    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!Files.exists(snapshot) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(snapshot).exists();
    assertThat(IndexSnapshot.readHeader(snapshot).treeSize()).isGreaterThanOrEqualTo(5);
  }

  private static String prefixedPractitioner(String prefix) {
    return prefix + "-doc";
  }

  /** Two patients with allergies (two versions of one), a practitioner with an identifier. */
  private void writeData(String prefix) throws Exception {
    writeData(node, prefix);
  }

  private static void writeData(TestNode on, String prefix) throws Exception {
    for (String patient : List.of("p1", "p2")) {
      Patient p = new Patient();
      p.setId("Patient/" + patient);
      p.addName(new HumanName().setFamily(patient));
      on.store.write(List.of(Write.of(p, 1)), Arrays.asList(patient), A);
    }
    for (int i = 1; i <= 3; i++) {
      on.store.write(
          List.of(Write.of(allergy("p1", prefix + "-" + i, prefix + " note " + i), 1)),
          Arrays.asList("p1"),
          A);
    }
    on.store.write(
        List.of(Write.of(allergy("p1", prefix + "-1", prefix + " note 1, corrected"), 2)),
        Arrays.asList("p1"),
        A);
    on.store.write(
        List.of(Write.of(allergy("p1", prefix + "-1", prefix + " note 1"), 3)),
        Arrays.asList("p1"),
        A);
    Practitioner practitioner = new Practitioner();
    practitioner.setId("Practitioner/" + prefix + "-doc");
    practitioner.addIdentifier().setSystem(NPI).setValue(prefix + "-npi");
    on.store.write(List.of(Write.of(practitioner, 1)), Arrays.asList((String) null), A);
  }

  private void writeAllergy(String patient, String id, String text) throws Exception {
    node.store.write(List.of(Write.of(allergy(patient, id, text), 1)), Arrays.asList(patient), A);
  }

  /** Every version with its metadata, every identifier, and what each version opens to. */
  private static List<String> describe(TestNode on) throws Exception {
    List<String> lines = new ArrayList<>();
    List<VersionMeta> all = new ArrayList<>();
    on.store.index().forEachHistory(all::addAll);
    all.sort((x, y) -> Long.compare(x.ledgerIndex(), y.ledgerIndex()));
    for (VersionMeta meta : all) {
      String content = meta.deleted() ? "deleted" : on.parserText(on.store.read(meta, A));
      // Sets compare as sets: Set.copyOf's iteration order differs from one JVM to the next.
      VersionMeta sorted =
          new VersionMeta(
              meta.type(),
              meta.id(),
              meta.version(),
              meta.ledgerIndex(),
              meta.lastUpdated(),
              meta.deleted(),
              meta.author(),
              meta.patientId(),
              new java.util.TreeSet<>(meta.grantKeyIds()),
              new java.util.TreeSet<>(meta.categories()));
      lines.add(sorted + " -> " + content);
    }
    on.store
        .index()
        .forEachIdentifier((key, ids) -> lines.add(key + " = " + new java.util.TreeSet<>(ids)));
    lines.sort(null);
    return lines;
  }

  private static AllergyIntolerance allergy(String patient, String id, String text) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setId("AllergyIntolerance/" + id);
    allergy.setPatient(new Reference("Patient/" + patient));
    allergy.addNote().setText(text);
    return allergy;
  }

  private static String note(Object resource) {
    return ((AllergyIntolerance) resource).getNoteFirstRep().getText();
  }
}
