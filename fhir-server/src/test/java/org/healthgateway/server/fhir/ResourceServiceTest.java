package org.healthgateway.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.store.TestNode;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FHIR interactions on a real node, below HTTP: ids, versions, 404/410/412/422, the rules. */
class ResourceServiceTest {
  private static final String A = "Practitioner/a";
  private static final String B = "Practitioner/b";

  @TempDir Path dir;
  private TestNode node;
  private ResourceService service;
  private final List<String> refusals = new ArrayList<>();
  private String patient;

  @BeforeEach
  void open() throws Exception {
    node = TestNode.open(dir);
    service = new ResourceService(TestNode.FHIR, node.store, new SearchEngine(TestNode.FHIR));
    service.setAuditTrail(
        (requester, meta, action, refusal) -> {
          if (refusal != null) {
            refusals.add(requester + " " + action + " " + meta.versionedReference());
          }
        });
    patient = service.create(new Patient().setActive(true), A).getId().getIdPart();
  }

  @AfterEach
  void close() throws Exception {
    node.close();
  }

  @Test
  void create_assignsAnIdAndVersion1_updateAddsVersion2_readAndVreadServeEach() {
    MethodOutcome created = service.create(allergy("first"), A);
    String id = created.getId().getIdPart();

    MethodOutcome updated =
        service.update(new IdType("AllergyIntolerance", id), allergy("second"), A);

    assertThat(created.getId().getVersionIdPart()).isEqualTo("1");
    assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");
    assertThat(note(service.read("AllergyIntolerance", id, null, A))).isEqualTo("second");
    assertThat(note(service.read("AllergyIntolerance", id, 1L, A))).isEqualTo("first");
  }

  @Test
  void update_withAStaleIfMatch_is412_andWritesNothing() {
    String id = service.create(allergy("first"), A).getId().getIdPart();

    assertThatThrownBy(
            () -> service.update(new IdType("AllergyIntolerance", id, "7"), allergy("x"), A))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(service.history("AllergyIntolerance", id)).hasSize(1);
  }

  @Test
  void read_ofAnUnknownId_is404_ofADeletedOne_is410() {
    String id = service.create(allergy("x"), A).getId().getIdPart();
    service.delete("AllergyIntolerance", id, A);

    assertThatThrownBy(() -> service.read("AllergyIntolerance", "nope", null, A))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> service.read("AllergyIntolerance", id, null, A))
        .isInstanceOf(ResourceGoneException.class);
  }

  @Test
  void delete_ofAnUnknownId_is404_twice_isANoOp() {
    String id = service.create(allergy("x"), A).getId().getIdPart();

    service.delete("AllergyIntolerance", id, A);
    service.delete("AllergyIntolerance", id, A);

    assertThatThrownBy(() -> service.delete("AllergyIntolerance", "nope", A))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(service.history("AllergyIntolerance", id)).hasSize(2);
  }

  @Test
  void aRefusedRead_is403_andLoggedAsARefusal() {
    String id = service.create(allergy("x"), A).getId().getIdPart();

    assertThatThrownBy(() -> service.read("AllergyIntolerance", id, null, B))
        .isInstanceOf(ForbiddenOperationException.class);
    assertThat(refusals).containsExactly(B + " read AllergyIntolerance/" + id + "/_history/1");
  }

  @Test
  void aRecordOfAPatientWhoDoesNotExist_is422() {
    AllergyIntolerance orphan = allergy("x");
    orphan.setPatient(new Reference("Patient/nobody"));

    assertThatThrownBy(() -> service.create(orphan, A))
        .isInstanceOf(UnprocessableEntityException.class);
    assertThat(service.currentOfType("AllergyIntolerance")).isEmpty();
  }

  @Test
  void aGuardsRefusal_becomesTheAnswer_andNothingOfTheBatchIsWritten() {
    service.addGuard((writes, requester) -> Decision.deny("not today"));

    assertThatThrownBy(() -> service.create(allergy("x"), A))
        .isInstanceOf(ForbiddenOperationException.class)
        .hasMessageContaining("not today");
    assertThat(service.currentOfType("AllergyIntolerance")).isEmpty();
  }

  @Test
  void search_servesOnlyWhatTheRequesterCanOpen() {
    service.create(allergy("x"), A);
    Map<String, List<String>> byPatient = Map.of("patient", List.of("Patient/" + patient));

    assertThat(service.search("AllergyIntolerance", byPatient, A).matches()).hasSize(1);
    assertThat(service.search("AllergyIntolerance", byPatient, B).matches()).isEmpty();
  }

  @Test
  void typeWideSearch_answeredByTheValueIndexForA_servesBNothing() {
    Map<String, List<String>> byCode = Map.of("code", List.of("http://snomed.info/sct|300916003"));
    service.create(allergy("before the index"), A);
    assertThat(service.search("AllergyIntolerance", byCode, A).matches()).hasSize(1);
    service.create(allergy("written once indexed"), A);
    AllergyIntolerance other = allergy("other code");
    other.getCode().getCodingFirstRep().setCode("91935009");
    service.create(other, A);

    assertThat(service.search("AllergyIntolerance", byCode, A).matches()).hasSize(2);
    assertThat(service.values().stats().covered()).isEqualTo(3);
    assertThat(service.values().stats().dirty()).isZero();
    assertThat(service.search("AllergyIntolerance", byCode, B).matches()).isEmpty();
  }

  @Test
  void typeWideSearch_versionsBCannotOpen_stayUncoveredAndUnseen() {
    Map<String, List<String>> byCode = Map.of("code", List.of("http://snomed.info/sct|300916003"));
    service.create(allergy("x"), A);

    assertThat(service.search("AllergyIntolerance", byCode, B).matches()).isEmpty();
    assertThat(service.values().stats().dirty()).isEqualTo(1);
    assertThat(service.search("AllergyIntolerance", byCode, A).matches()).hasSize(1);
    assertThat(service.values().stats().dirty()).isZero();
  }

  @Test
  void searchByPage_servesPagesOfOpenedMatches_onlyWhereNoAnswerNeedsThemAll() {
    for (int i = 0; i < 5; i++) {
      service.create(allergy("n" + i), A);
    }
    Map<String, List<String>> byCode = Map.of("code", List.of("300916003"));

    PagedSearch paged = service.searchByPage("AllergyIntolerance", byCode, A).orElseThrow();
    assertThat(paged.page(0, 2)).hasSize(2);
    assertThat(paged.page(2, 4)).hasSize(2);
    assertThat(paged.page(4, 6)).hasSize(1);
    assertThat(paged.page(6, 8)).isEmpty();
    assertThat(service.searchByPage("AllergyIntolerance", byCode, B).orElseThrow().page(0, 50))
        .isEmpty();
    for (Map.Entry<String, String> needsAll :
        Map.of("_summary", "count", "_total", "accurate", "_sort", "date", "_count", "0")
            .entrySet()) {
      Map<String, List<String>> params =
          Map.of("code", List.of("300916003"), needsAll.getKey(), List.of(needsAll.getValue()));
      assertThat(service.searchByPage("AllergyIntolerance", params, A))
          .as(needsAll.getKey())
          .isEmpty();
    }
    assertThat(
            service.searchByPage(
                "AllergyIntolerance", Map.of("patient", List.of("Patient/" + patient)), A))
        .as("a patient search keeps its compartment")
        .isEmpty();
  }

  @Test
  void everything_isThePatientFirst_thenTheRecordsTheRequesterCanOpen() {
    service.create(allergy("x"), A);

    assertThat(service.everything(patient, A))
        .extracting(r -> r.fhirType())
        .containsExactly("Patient", "AllergyIntolerance");
    assertThat(service.everything(patient, B)).isEmpty();
  }

  private AllergyIntolerance allergy(String note) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setPatient(new Reference("Patient/" + patient));
    allergy.addNote().setText(note);
    allergy.setCode(
        new org.hl7.fhir.r4.model.CodeableConcept(
            new org.hl7.fhir.r4.model.Coding("http://snomed.info/sct", "300916003", null)));
    return allergy;
  }

  private static String note(Object resource) {
    return ((AllergyIntolerance) resource).getNoteFirstRep().getText();
  }
}
