package org.healthgateway.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SearchEngineTest {

  private static final String OBS_CAT =
      "http://terminology.hl7.org/CodeSystem/observation-category";
  private static SearchEngine engine;
  private static List<Resource> samuel;
  private static List<Observation> observations;
  private static Patient patient;

  @BeforeAll
  static void load() {
    engine = new SearchEngine(SyntheaFixtures.CTX);
    samuel = SyntheaFixtures.stored("Samuel331_Terry864");
    observations =
        samuel.stream().filter(Observation.class::isInstance).map(Observation.class::cast).toList();
    patient =
        samuel.stream()
            .filter(Patient.class::isInstance)
            .map(Patient.class::cast)
            .findFirst()
            .orElseThrow();
  }

  @Test
  void matches_categorySurvey_countsAsByHand() {
    long byHand = observations.stream().filter(o -> hasCategory(o, "survey")).count();
    assertThat(byHand).isPositive();
    assertThat(count("Observation", "category", "survey")).isEqualTo(byHand);
    assertThat(count("Observation", "category", OBS_CAT + "|survey")).isEqualTo(byHand);
  }

  @Test
  void matches_categoryLaboratory_countsAsByHand() {
    long byHand = observations.stream().filter(o -> hasCategory(o, "laboratory")).count();
    assertThat(count("Observation", "category", "laboratory")).isEqualTo(byHand);
  }

  @Test
  void matches_codeWithSystem_countsOnlyThatCoding() {
    Coding weight = firstCoding("TESTS ORDERED");
    long byHand = observations.stream().filter(o -> hasCode(o, weight.getCode())).count();
    assertThat(byHand).isGreaterThan(1);
    assertThat(count("Observation", "code", "http://loinc.org|" + weight.getCode()))
        .isEqualTo(byHand);
    assertThat(count("Observation", "code", weight.getCode())).isEqualTo(byHand);
    assertThat(count("Observation", "code", "|" + weight.getCode())).isZero();
    assertThat(count("Observation", "code", "http://snomed.info/sct|" + weight.getCode())).isZero();
    assertThat(count("Observation", "code", "http://loinc.org|")).isEqualTo(observations.size());
  }

  @Test
  void matches_codeNot_countsTheRest() {
    Coding weight = firstCoding("TESTS ORDERED");
    long byHand = observations.stream().filter(o -> !hasCode(o, weight.getCode())).count();
    assertThat(count("Observation", "code:not", weight.getCode())).isEqualTo(byHand);
  }

  @Test
  void matches_codeText_matchesDisplayWordPrefix() {
    long byHand =
        observations.stream()
            .filter(o -> o.getCode().getText().startsWith("TESTS ORDERED"))
            .count();
    assertThat(count("Observation", "code:text", "tests ord"))
        .isGreaterThanOrEqualTo(byHand)
        .isPositive();
  }

  @Test
  void matches_dateGeAndLt2010_countsAsByHand() {
    long cut = new InstantType("2010-01-01T00:00:00Z").getValue().getTime();
    long after = observations.stream().filter(o -> effective(o) >= cut).count();
    long before = observations.stream().filter(o -> effective(o) < cut).count();
    assertThat(after).isPositive();
    assertThat(before).isPositive();
    assertThat(count("Observation", "date", "ge2010-01-01T00:00:00Z")).isEqualTo(after);
    assertThat(count("Observation", "date", "lt2010-01-01T00:00:00Z")).isEqualTo(before);
  }

  @Test
  void matches_repeatedDate_andsTheRanges() {
    long from = new InstantType("2008-01-01T00:00:00Z").getValue().getTime();
    long to = new InstantType("2011-01-01T00:00:00Z").getValue().getTime();
    long byHand =
        observations.stream().filter(o -> effective(o) >= from && effective(o) < to).count();
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("date", List.of("ge2008-01-01T00:00:00Z", "lt2011-01-01T00:00:00Z"));
    assertThat(count("Observation", params)).isEqualTo(byHand).isPositive();
  }

  @Test
  void matches_yearDate_equalsEveryInstantOfThatYear() {
    long byHand =
        observations.stream().filter(o -> o.getEffectiveDateTimeType().getYear() == 2012).count();
    assertThat(count("Observation", "date", "2012")).isEqualTo(byHand);
    assertThat(count("Observation", "date", "eq2012")).isEqualTo(byHand);
  }

  @Test
  void matches_commaSeparatedCodes_orsThem() {
    Coding weight = firstCoding("TESTS ORDERED");
    Coding other =
        observations.stream()
            .map(o -> o.getCode().getCodingFirstRep())
            .filter(c -> !c.getCode().equals(weight.getCode()))
            .findFirst()
            .orElseThrow();
    long byHand =
        observations.stream()
            .filter(o -> hasCode(o, weight.getCode()) || hasCode(o, other.getCode()))
            .count();
    assertThat(count("Observation", "code", weight.getCode() + "," + other.getCode()))
        .isEqualTo(byHand);
  }

  @Test
  void matches_repeatedCodes_andsThemToNothing() {
    Coding weight = firstCoding("TESTS ORDERED");
    Map<String, List<String>> params = Map.of("code", List.of(weight.getCode(), "other-code"));
    assertThat(count("Observation", params)).isZero();
  }

  @Test
  void matches_patientReferenceForms_findEveryObservationOfThePatient() {
    String id = patient.getIdPart();
    for (String value : List.of("Patient/" + id, id, "https://gw.example.org/fhir/Patient/" + id)) {
      assertThat(count("Observation", "patient", value)).as(value).isEqualTo(observations.size());
      assertThat(count("Observation", "subject", value)).as(value).isEqualTo(observations.size());
    }
    assertThat(count("Observation", "subject:Patient", id)).isEqualTo(observations.size());
    assertThat(count("Observation", "patient", "Patient/someone-else")).isZero();
    assertThat(count("Observation", "subject", "Group/" + id)).isZero();
  }

  @Test
  void patientIds_patientOrSubjectOrId_namesThePatients() {
    assertThat(engine.parse("Observation", Map.of("patient", List.of("Patient/a,b"))).patientIds())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(engine.parse("Observation", Map.of("subject", List.of("Patient/a"))).patientIds())
        .containsExactly("a");
    assertThat(engine.parse("Patient", Map.of("_id", List.of("p1"))).patientIds())
        .containsExactly("p1");
    assertThat(engine.parse("Observation", Map.of("subject", List.of("Group/g"))).patientIds())
        .isEmpty();
    assertThat(engine.parse("Observation", Map.of("code", List.of("x"))).patientIds()).isEmpty();
  }

  @Test
  void matches_patientNamePrefix_caseAndAccentInsensitive() {
    assertThat(matchesPatient("name", "sam")).isTrue();
    assertThat(matchesPatient("name", "SAMUEL331")).isTrue();
    assertThat(matchesPatient("name", "terry")).isTrue();
    assertThat(matchesPatient("name", "amuel")).isFalse();
    assertThat(matchesPatient("name:contains", "AMUEL")).isTrue();
    assertThat(matchesPatient("name:exact", "samuel331")).isFalse();
    assertThat(matchesPatient("name:exact", "Samuel331")).isTrue();
    assertThat(matchesPatient("family", "Ter")).isTrue();
    assertThat(matchesPatient("given", "Ter")).isFalse();
    List<Resource> ramona = SyntheaFixtures.stored("Ramona980_God");
    Patient accented =
        (Patient) ramona.stream().filter(Patient.class::isInstance).findFirst().orElseThrow();
    assertThat(accented.getNameFirstRep().getFamily()).contains("í");
    assertThat(engine.parse("Patient", Map.of("family", List.of("godinez"))).matches(accented))
        .isTrue();
  }

  @Test
  void matches_identifierSystemAndValue_matchesOnlyThatIdentifier() {
    assertThat(matchesPatient("identifier", "http://hl7.org/fhir/sid/us-ssn|999-60-8510")).isTrue();
    assertThat(matchesPatient("identifier", "999-60-8510")).isTrue();
    assertThat(matchesPatient("identifier", "http://hl7.org/fhir/sid/us-ssn|999-60-8511"))
        .isFalse();
    assertThat(matchesPatient("identifier", "urn:other|999-60-8510")).isFalse();
  }

  @Test
  void matches_idAndGenderAndBirthdate_matchThePatient() {
    assertThat(matchesPatient("_id", patient.getIdPart())).isTrue();
    assertThat(matchesPatient("_id", "nope")).isFalse();
    assertThat(matchesPatient("gender", "male")).isTrue();
    assertThat(matchesPatient("birthdate", "1962")).isTrue();
    assertThat(matchesPatient("birthdate", "gt1962")).isFalse();
    assertThat(matchesPatient("birthdate", "sa1961-12-31")).isTrue();
  }

  @Test
  void matches_conditionClinicalStatus_matchesActive() {
    Condition condition =
        (Condition) samuel.stream().filter(Condition.class::isInstance).findFirst().orElseThrow();
    assertThat(
            engine
                .parse("Condition", Map.of("clinical-status", List.of("active")))
                .matches(condition))
        .isTrue();
    assertThat(
            engine
                .parse("Condition", Map.of("clinical-status", List.of("resolved")))
                .matches(condition))
        .isFalse();
  }

  @Test
  void matches_statusAndMissing_countAsByHand() {
    assertThat(count("Observation", "status", "final")).isEqualTo(observations.size());
    long withEncounter = observations.stream().filter(Observation::hasEncounter).count();
    assertThat(count("Observation", "encounter:missing", "false")).isEqualTo(withEncounter);
    assertThat(count("Observation", "encounter:missing", "true"))
        .isEqualTo(observations.size() - withEncounter);
  }

  @Test
  void matches_otherResourceType_isFalse() {
    assertThat(engine.parse("Observation", Map.of()).matches(patient)).isFalse();
  }

  @Test
  void sort_dateAscendingAndDescending_ordersByEffective() {
    List<Observation> ascending = sorted(observations, "date");
    List<Observation> descending = sorted(observations, "-date");
    assertThat(ascending).extracting(SearchEngineTest::effective).isSorted();
    assertThat(descending)
        .extracting(SearchEngineTest::effective)
        .isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  void sort_lastUpdated_ordersByMetaAndPutsMissingLast() {
    List<Observation> some = new ArrayList<>(observations.subList(0, 3));
    List<Observation> copies = some.stream().map(Observation::copy).collect(Collectors.toList());
    copies.get(0).getMeta().setLastUpdatedElement(new InstantType("2024-03-01T00:00:00Z"));
    copies.get(2).getMeta().setLastUpdatedElement(new InstantType("2024-01-01T00:00:00Z"));
    assertThat(sorted(copies, "_lastUpdated"))
        .containsExactly(copies.get(2), copies.get(0), copies.get(1));
    assertThat(sorted(copies, "-_lastUpdated"))
        .containsExactly(copies.get(0), copies.get(2), copies.get(1));
    assertThat(
            engine
                .parse("Observation", Map.of("_lastUpdated", List.of("ge2024-02")))
                .matches(copies.get(0)))
        .isTrue();
    assertThat(
            engine
                .parse("Observation", Map.of("_lastUpdated", List.of("ge2024-02")))
                .matches(copies.get(2)))
        .isFalse();
  }

  @Test
  void parse_resultParams_areReadNotMatched() {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("_count", List.of("5000"));
    params.put("_summary", List.of("count"));
    params.put("_include", List.of("Observation:subject:Patient", "Observation:encounter"));
    params.put("_revinclude", List.of("Provenance:target"));
    params.put("_format", List.of("json"));
    params.put("_pretty", List.of("true"));
    params.put("_elements", List.of("id"));
    params.put("_total", List.of("accurate"));
    SearchQuery query = engine.parse("Observation", params);
    assertThat(query.count()).isEqualTo(SearchEngine.MAX_COUNT);
    assertThat(query.summaryCount()).isTrue();
    assertThat(query.includes())
        .containsExactly(
            new Include("Observation", "subject", "Patient"),
            new Include("Observation", "encounter", null));
    assertThat(query.revIncludes()).containsExactly(new Include("Provenance", "target", null));
    assertThat(query.sort()).isEmpty();
    assertThat(observations).allMatch(query::matches);
  }

  @Test
  void referencedIds_subjectAndEncounterIncludes_returnTypedIds() {
    Observation observation = observations.get(0);
    SearchQuery query =
        engine.parse(
            "Observation",
            Map.of("_include", List.of("Observation:subject", "Observation:subject:Group")));
    assertThat(query.referencedIds(observation, query.includes().get(0)))
        .containsExactly("Patient/" + patient.getIdPart());
    assertThat(query.referencedIds(observation, query.includes().get(1))).isEmpty();
    assertThat(query.referencedIds(observation, new Include("Observation", "encounter", null)))
        .containsExactly(observation.getEncounter().getReference());
  }

  @Test
  void parse_invalidInput_throwsInvalidRequest() {
    List<Map<String, List<String>>> invalid =
        List.of(
            Map.of("nonsense", List.of("1")),
            Map.of("code:exact", List.of("1")),
            Map.of("date", List.of("xx2015")),
            Map.of("date", List.of("ap2015")),
            Map.of("date", List.of("2015-13-45")),
            Map.of("subject.name", List.of("x")),
            Map.of("_has", List.of("x")),
            Map.of("value-quantity", List.of("5")),
            Map.of("_count", List.of("-1")),
            Map.of("_count", List.of("ten")),
            Map.of("_sort", List.of("code")),
            Map.of("_summary", List.of("maybe")),
            Map.of("_include", List.of("Observation:code")),
            Map.of("_include", List.of("Nope:subject")),
            Map.of("subject:Practitioner", List.of("1")),
            Map.of("encounter:missing", List.of("perhaps")));
    for (Map<String, List<String>> params : invalid) {
      assertThatThrownBy(() -> engine.parse("Observation", params))
          .as(params.toString())
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageNotContaining("null");
    }
    assertThatThrownBy(() -> engine.parse("NoSuchType", Map.of()))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void parse_unknownParam_namesTheParameterAndType() {
    assertThatThrownBy(() -> engine.parse("Observation", Map.of("nonsense", List.of("1"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'nonsense'")
        .hasMessageContaining("Observation");
  }

  private static long count(String type, String name, String value) {
    return count(type, Map.of(name, List.of(value)));
  }

  private static long count(String type, Map<String, List<String>> params) {
    SearchQuery query = engine.parse(type, params);
    return samuel.stream().filter(query::matches).count();
  }

  private static boolean matchesPatient(String name, String value) {
    return engine.parse("Patient", Map.of(name, List.of(value))).matches(patient);
  }

  private static <T extends IBaseResource> List<T> sorted(List<T> resources, String sort) {
    Comparator<IBaseResource> order =
        engine.parse("Observation", Map.of("_sort", List.of(sort))).sort().orElseThrow();
    List<T> copy = new ArrayList<>(resources);
    copy.sort(order);
    return copy;
  }

  private static long effective(Observation observation) {
    return observation.getEffectiveDateTimeType().getValue().getTime();
  }

  private static boolean hasCategory(Observation observation, String code) {
    return observation.getCategory().stream()
        .flatMap(c -> c.getCoding().stream())
        .anyMatch(c -> OBS_CAT.equals(c.getSystem()) && code.equals(c.getCode()));
  }

  private static boolean hasCode(Observation observation, String code) {
    Predicate<Coding> same = c -> code.equals(c.getCode());
    return observation.getCode().getCoding().stream().anyMatch(same);
  }

  private static Coding firstCoding(String text) {
    return observations.stream()
        .filter(o -> text.equals(o.getCode().getText()))
        .map(o -> o.getCode().getCodingFirstRep())
        .findFirst()
        .orElseThrow();
  }
}
