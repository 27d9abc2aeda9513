package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class ConsentEngineProposalTest {

  private static final String PROPOSER = "Practitioner/b";

  private final ConsentEngine engine = new ConsentEngine();

  private java.util.List<String> problemsAfter(Consumer<Consent> edit) {
    Consent consent = ProposalFixture.load();
    edit.accept(consent);
    return engine.validateProposal(consent, PROPOSER);
  }

  @Test
  void validateProposal_fixture_valid() {
    assertThat(engine.validateProposal(ProposalFixture.load(), PROPOSER)).isEmpty();
  }

  @Test
  void validateProposal_proposerAsAbsoluteUrl_valid() {
    assertThat(
            engine.validateProposal(
                ProposalFixture.load(), "https://node.example/fhir/Practitioner/b"))
        .isEmpty();
  }

  @Test
  void validateProposal_codeOnlyOrClassOnly_valid() {
    assertThat(problemsAfter(c -> c.getProvision().getClass_().clear())).isEmpty();
    assertThat(problemsAfter(c -> c.getProvision().getCode().clear())).isEmpty();
  }

  @Test
  void validateProposal_statusActive_problem() {
    assertThat(problemsAfter(c -> c.setStatus(ConsentState.ACTIVE)))
        .containsExactly("status must be proposed");
  }

  @Test
  void validateProposal_noPatient_problem() {
    assertThat(problemsAfter(c -> c.setPatient(null)))
        .containsExactly("patient must reference a Patient");
    assertThat(problemsAfter(c -> c.setPatient(new Reference("Group/g"))))
        .containsExactly("patient must reference a Patient");
  }

  @Test
  void validateProposal_otherScope_problem() {
    assertThat(problemsAfter(c -> c.getScope().getCodingFirstRep().setCode("research")))
        .containsExactly("scope must be patient-privacy");
  }

  @Test
  void validateProposal_noCategory_problem() {
    assertThat(problemsAfter(c -> c.getCategory().clear())).containsExactly("category is required");
  }

  @Test
  void validateProposal_noProvision_problem() {
    assertThat(problemsAfter(c -> c.setProvision(null))).containsExactly("provision is required");
  }

  @Test
  void validateProposal_typeDenyOrMissing_problem() {
    assertThat(problemsAfter(c -> c.getProvision().setType(ConsentProvisionType.DENY)))
        .containsExactly("provision.type must be permit");
    assertThat(problemsAfter(c -> c.getProvision().setTypeElement(null)))
        .containsExactly("provision.type must be permit");
  }

  @Test
  void validateProposal_actorNotProposer_problem() {
    assertThat(
            problemsAfter(
                c ->
                    c.getProvision()
                        .getActorFirstRep()
                        .setReference(new Reference("Practitioner/a"))))
        .containsExactly("provision.actor must name the proposer");
    assertThat(problemsAfter(c -> c.getProvision().getActor().clear()))
        .containsExactly("provision.actor must name the proposer");
  }

  @Test
  void validateProposal_proposerNotPractitioner_problem() {
    Consent consent = ProposalFixture.load();
    consent.getProvision().getActorFirstRep().setReference(new Reference("Patient/p"));

    assertThat(engine.validateProposal(consent, "Patient/p"))
        .containsExactly("only a Practitioner may propose a consent");
  }

  @Test
  void validateProposal_noCodeNoClass_problem() {
    assertThat(
            problemsAfter(
                c -> {
                  c.getProvision().getCode().clear();
                  c.getProvision().getClass_().clear();
                }))
        .containsExactly("provision must name a data category (code) or resource type (class)");
  }

  @Test
  void validateProposal_unknownCategory_problem() {
    assertThat(
            problemsAfter(
                c ->
                    c.getProvision()
                        .addCode(
                            new CodeableConcept(
                                new Coding(DataCategories.CODE_SYSTEM_URL, "genome", null)))))
        .containsExactly("unknown data category: genome");
  }

  @Test
  void validateProposal_onlyUnknownCategory_problems() {
    assertThat(
            problemsAfter(
                c -> {
                  c.getProvision().getClass_().clear();
                  c.getProvision().getCodeFirstRep().getCoding().forEach(x -> x.setCode("genome"));
                }))
        .contains(
            "unknown data category: genome",
            "provision must name a data category (code) or resource type (class)");
  }

  @Test
  void validateProposal_codeOfOtherSystem_problem() {
    assertThat(
            problemsAfter(
                c ->
                    c.getProvision()
                        .getCodeFirstRep()
                        .getCoding()
                        .get(1)
                        .setSystem("http://loinc.org")))
        .containsExactly("provision.code must use system " + DataCategories.CODE_SYSTEM_URL);
  }

  @Test
  void validateProposal_unknownResourceType_problem() {
    assertThat(problemsAfter(c -> c.getProvision().getClass_FirstRep().setCode("Allergy")))
        .contains("unknown resource type: Allergy");
  }

  @Test
  void validateProposal_classOfOtherSystem_problem() {
    assertThat(
            problemsAfter(c -> c.getProvision().getClass_FirstRep().setSystem("urn:ietf:bcp:13")))
        .contains("provision.class must use system " + ConsentEngine.RESOURCE_TYPES_SYSTEM);
  }

  @Test
  void validateProposal_classAndCodeDisjoint_problem() {
    assertThat(problemsAfter(c -> c.getProvision().getClass_FirstRep().setCode("Immunization")))
        .containsExactly("provision.class and provision.code together select no data");
  }

  @Test
  void validateProposal_periodStartAfterEnd_problem() {
    assertThat(
            problemsAfter(
                c -> c.getProvision().getPeriod().setEndElement(new DateTimeType("2025-01-01"))))
        .containsExactly("provision.period starts after it ends");
  }

  @Test
  void validateProposal_dataPeriodStartAfterEnd_problem() {
    assertThat(
            problemsAfter(
                c ->
                    c.getProvision()
                        .getDataPeriod()
                        .setStartElement(new DateTimeType("2020"))
                        .setEndElement(new DateTimeType("2019"))))
        .containsExactly("provision.dataPeriod starts after it ends");
  }

  @Test
  void validateProposal_nestedProvision_problem() {
    assertThat(
            problemsAfter(
                c ->
                    c.getProvision()
                        .addProvision()
                        .setType(ConsentProvisionType.PERMIT)
                        .addActor()
                        .setReference(new Reference("Practitioner/c"))))
        .containsExactly("nested provisions are not allowed in a proposal");
  }

  @Test
  void validateProposal_dataReference_problem() {
    assertThat(
            problemsAfter(
                c -> c.getProvision().addData().setReference(new Reference("Observation/1"))))
        .containsExactly("provision.data is not supported; name categories or resource types");
  }

  @Test
  void validateProposal_tooManyActors_structuralProblem() {
    assertThat(
            problemsAfter(
                c -> {
                  ProvisionComponent provision = c.getProvision();
                  for (int i = 0; i < ConsentEngine.MAX_LIST_SIZE; i++) {
                    provision.addActor().setReference(new Reference("Practitioner/x" + i));
                  }
                }))
        .containsExactly("provision.actor has more than 100 entries");
  }

  @Test
  void validateProposal_severalProblems_allReported() {
    assertThat(
            problemsAfter(
                c -> {
                  c.setStatus(ConsentState.ACTIVE);
                  c.getCategory().clear();
                  c.getProvision().setType(ConsentProvisionType.DENY);
                }))
        .containsExactly(
            "status must be proposed", "category is required", "provision.type must be permit");
  }
}
