package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class ConsentEngineCanonicalFormTest {

  private static byte[] canonical(Consent consent) {
    return ConsentEngine.canonicalForm(consent, ProposalFixture.CTX);
  }

  private static byte[] canonicalAfter(Consumer<Consent> edit) {
    Consent consent = ProposalFixture.load();
    edit.accept(consent);
    return canonical(consent);
  }

  @Test
  void canonicalForm_sameConsent_sameBytes() {
    byte[] first = canonical(ProposalFixture.load());

    assertThat(canonical(ProposalFixture.load())).isEqualTo(first);
    assertThat(canonical(ProposalFixture.load().copy())).isEqualTo(first);
  }

  @Test
  void canonicalForm_fixture_isCompactJsonWithOnlyVersionIdInMeta() {
    String json = new String(canonical(ProposalFixture.load()), StandardCharsets.UTF_8);

    assertThat(json)
        .startsWith(
            "{\"resourceType\":\"Consent\",\"id\":\"request-1\",\"meta\":{\"versionId\":\"1\"},")
        .doesNotContain("lastUpdated", "\"text\"", "\n");
  }

  @Test
  void canonicalForm_metadataOutsideTheSignedScope_ignored() {
    byte[] expected = canonical(ProposalFixture.load());

    assertThat(
            canonicalAfter(
                c -> c.getMeta().setLastUpdatedElement(new InstantType("2030-01-01T00:00:00Z"))))
        .isEqualTo(expected);
    assertThat(canonicalAfter(c -> c.getMeta().setSource("urn:node:x").addTag("urn:t", "t", null)))
        .isEqualTo(expected);
    assertThat(
            canonicalAfter(
                c -> c.setText(new Narrative().setStatus(Narrative.NarrativeStatus.EMPTY))))
        .isEqualTo(expected);
    assertThat(canonicalAfter(c -> c.setText(null))).isEqualTo(expected);
    assertThat(
            canonicalAfter(
                c ->
                    c.setIdElement(
                        new IdType("https://node.example/fhir", "Consent", "request-1", "7"))))
        .isEqualTo(expected);
  }

  @Test
  void canonicalForm_anyProvisionChange_changesBytes() {
    byte[] original = canonical(ProposalFixture.load());
    Map<String, Consumer<Consent>> edits = new LinkedHashMap<>();
    edits.put("type", c -> c.getProvision().setType(ConsentProvisionType.DENY));
    edits.put(
        "actor",
        c -> c.getProvision().getActorFirstRep().setReference(new Reference("Practitioner/c")));
    edits.put(
        "extra actor",
        c -> c.getProvision().addActor().setReference(new Reference("Practitioner/c")));
    edits.put(
        "code", c -> c.getProvision().getCodeFirstRep().getCodingFirstRep().setCode("imaging"));
    edits.put(
        "extra code",
        c ->
            c.getProvision()
                .addCode(
                    new CodeableConcept(
                        new Coding(DataCategories.CODE_SYSTEM_URL, "imaging", null))));
    edits.put("class", c -> c.getProvision().getClass_FirstRep().setCode("Procedure"));
    edits.put(
        "period end",
        c -> c.getProvision().getPeriod().setEndElement(new DateTimeType("2026-12-31")));
    edits.put(
        "dataPeriod",
        c -> c.getProvision().getDataPeriod().setStartElement(new DateTimeType("2020")));
    edits.put(
        "securityLabel",
        c -> c.getProvision().addSecurityLabel(new Coding(Consents.CONFIDENTIALITY, "R", null)));
    edits.put("purpose", c -> c.getProvision().getPurposeFirstRep().setCode("ETREAT"));
    edits.put("nested", c -> c.getProvision().addProvision().setType(ConsentProvisionType.DENY));
    edits.put("status", c -> c.setStatus(ConsentState.ACTIVE));
    edits.put("patient", c -> c.setPatient(new Reference("Patient/q")));
    edits.put("id", c -> c.setId("request-2"));
    edits.put("versionId", c -> c.getMeta().setVersionId("2"));

    edits.forEach((name, edit) -> assertThat(canonicalAfter(edit)).as(name).isNotEqualTo(original));
  }

  @Test
  void canonicalForm_input_notModified() {
    Consent consent = ProposalFixture.load();
    String before = ProposalFixture.CTX.newJsonParser().encodeResourceToString(consent);

    canonical(consent);

    assertThat(ProposalFixture.CTX.newJsonParser().encodeResourceToString(consent))
        .isEqualTo(before);
  }

  @Test
  void canonicalForm_noVersionId_refused() {
    Consent consent = ProposalFixture.load();
    consent.getMeta().setVersionIdElement(null);

    assertThatThrownBy(() -> canonical(consent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("versionId");
  }

  @Test
  void canonicalForm_noId_refused() {
    Consent consent = ProposalFixture.load();
    consent.setIdElement(null);

    assertThatThrownBy(() -> canonical(consent)).isInstanceOf(IllegalArgumentException.class);
  }
}
