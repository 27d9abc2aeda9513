package org.healthgateway.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The value index below the store: versions are metadata in a {@link ResourceIndex}, their
 * plaintext handed over as a write or a search would. Candidates must hold every possible match.
 */
class ValueIndexTest {
  private static final FhirContext CTX = FhirContext.forR4Cached();
  private static final String LOINC = "http://loinc.org";
  private static final SearchEngine ENGINE = new SearchEngine(CTX);

  private ResourceIndex resources;
  private ValueIndex values;
  private long ledgerIndex;

  @BeforeEach
  void create() {
    resources = new ResourceIndex();
    values = ValueIndex.create(ENGINE, resources);
  }

  @Test
  void token_systemAndCode_bareCode_systemOnly_hitOnlyHolders() {
    candidates("code", LOINC + "|8302-2"); // the parameter is indexed from its first search on
    written(observation("h", "8302-2", "2020-01-01", "Practitioner/a"));
    written(observation("w", "29463-7", "2020-01-01", "Practitioner/a"));
    written(observation("h2", "8302-2", "2021-01-01", "Practitioner/a"));
    written(observation("w2", "29463-7", "2021-01-01", "Practitioner/a"));

    assertThat(candidates("code", LOINC + "|8302-2")).containsExactlyInAnyOrder("h", "h2");
    assertThat(candidates("code", "8302-2")).containsExactlyInAnyOrder("h", "h2");
    assertThat(candidates("code", "|8302-2")).isEmpty();
    assertThat(candidates("code", LOINC + "|")).containsExactlyInAnyOrder("h", "w", "h2", "w2");
    assertThat(candidates("code", "8302-2,29463-7"))
        .containsExactlyInAnyOrder("h", "w", "h2", "w2");
    assertThat(candidates("code", "http://other|8302-2")).isEmpty();
  }

  @Test
  void reference_typedAndBareIds_hitOnlyHolders() {
    candidates("performer", "Practitioner/a");
    written(observation("a", "8302-2", "2020-01-01", "Practitioner/a"));
    written(observation("b", "8302-2", "2020-01-01", "Practitioner/b"));
    written(observation("a2", "8302-2", "2020-01-01", "Practitioner/a"));

    assertThat(candidates("performer", "Practitioner/a")).containsExactlyInAnyOrder("a", "a2");
    assertThat(candidates("performer", "a")).containsExactlyInAnyOrder("a", "a2");
    assertThat(candidates("performer", "Organization/a")).isEmpty();
  }

  @Test
  void date_prefixes_hitOnlyRangesThatMatch() {
    candidates("date", "2019");
    written(observation("y2019", "8302-2", "2019-06-01", "Practitioner/a"));
    written(observation("y2021", "8302-2", "2021-06-01", "Practitioner/a"));

    assertThat(candidates("date", "2019")).containsExactlyInAnyOrder("y2019");
    assertThat(candidates("date", "ge2020")).containsExactlyInAnyOrder("y2021");
    assertThat(candidates("date", "lt2020-01-01")).containsExactlyInAnyOrder("y2019");
    assertThat(candidates("date", "2020")).isEmpty();
  }

  @Test
  void string_startsWithAndExact_hitOnlyHolders() {
    candidates("Patient", "family", "x");
    written(patient("smith", "Smith"));
    written(patient("smyth", "Smyth"));

    assertThat(candidates("Patient", "family", "smi")).containsExactlyInAnyOrder("smith");
    assertThat(candidates("Patient", "family", "SM")).containsExactlyInAnyOrder("smith", "smyth");
    assertThat(candidates("Patient", "family:exact", "Smyth")).containsExactlyInAnyOrder("smyth");
    assertThat(candidates("Patient", "family:exact", "smyth")).isEmpty();
  }

  @Test
  void supersededVersion_dropsOut_newVersionTakesItsPlace() {
    candidates("code", "8302-2");
    written(observation("o", "8302-2", "2020-01-01", "Practitioner/a"));

    written(observation("o", "29463-7", "2020-01-01", "Practitioner/a"));

    assertThat(candidates("code", "8302-2")).isEmpty();
    assertThat(candidates("code", "29463-7")).containsExactlyInAnyOrder("o");
    assertThat(values.stats().covered()).isEqualTo(1);
  }

  @Test
  void deletedResource_dropsOut() {
    candidates("code", "8302-2");
    written(observation("o", "8302-2", "2020-01-01", "Practitioner/a"));

    add("Observation", "o", true);

    assertThat(candidates("code", "8302-2")).isEmpty();
  }

  @Test
  void uncoveredVersions_areCandidates_untilOpened_thenOnlyHits() {
    // Versions replayed from the ledger: metadata only, nobody has opened them yet.
    Observation height = observation("h", "8302-2", "2020-01-01", "Practitioner/a");
    Observation weight = observation("w", "29463-7", "2020-01-01", "Practitioner/a");
    VersionMeta h = add("Observation", "h", false);
    VersionMeta w = add("Observation", "w", false);

    assertThat(candidates("code", "8302-2")).containsExactlyInAnyOrder("h", "w");
    assertThat(values.stats().dirty()).isEqualTo(2);

    values.opened(h, height);
    values.opened(w, weight);

    assertThat(candidates("code", "8302-2")).containsExactlyInAnyOrder("h");
    assertThat(values.stats().dirty()).isZero();
  }

  @Test
  void newVersionNotYetOpened_isACandidateAgain() {
    candidates("code", "8302-2");
    written(observation("o", "29463-7", "2020-01-01", "Practitioner/a"));

    add("Observation", "o", false); // written elsewhere (another replica): content not at hand

    assertThat(candidates("code", "8302-2")).containsExactlyInAnyOrder("o");
  }

  @Test
  void unsupportedModifiers_andMissing_fallBackToTheScan() {
    for (String key : List.of("code:not", "code:text", "code:missing")) {
      String value = key.endsWith("missing") ? "true" : "8302-2";
      assertThat(values.candidates(query("Observation", key, value))).as(key).isEmpty();
    }
    assertThat(values.candidates(query("Patient", "family:contains", "mit"))).isEmpty();
    assertThat(values.candidates(query("Observation", "_id", "o"))).isEmpty();
  }

  @Test
  void forEachThenRestore_onAFreshIndex_answersWithoutOpening() {
    candidates("code", "8302-2");
    candidates("date", "2020");
    written(observation("h", "8302-2", "2020-01-01", "Practitioner/a"));
    written(observation("w", "29463-7", "2020-01-01", "Practitioner/a"));
    List<ValueIndex.Entry> dump = new ArrayList<>();
    values.forEach(dump::add);

    ValueIndex restored = ValueIndex.create(ENGINE, resources);
    dump.forEach(restored::restore);

    assertThat(ids(restored.candidates(query("Observation", "code", "8302-2")).orElseThrow()))
        .containsExactlyInAnyOrder("h");
    assertThat(ids(restored.candidates(query("Observation", "date", "2020")).orElseThrow()))
        .containsExactlyInAnyOrder("h", "w");
    assertThat(restored.stats().dirty()).isZero();
  }

  @Test
  void restore_ofASupersededVersion_isIgnored() {
    candidates("code", "8302-2");
    written(observation("o", "8302-2", "2020-01-01", "Practitioner/a"));
    List<ValueIndex.Entry> dump = new ArrayList<>();
    values.forEach(dump::add);
    add("Observation", "o", false);

    ValueIndex restored = ValueIndex.create(ENGINE, resources);
    dump.forEach(restored::restore);

    assertThat(ids(restored.candidates(query("Observation", "code", "29463-7")).orElseThrow()))
        .as("the new version is not covered, so it stays a candidate")
        .containsExactlyInAnyOrder("o");
  }

  @Test
  void heap_perIndexedVersion_isReported() {
    candidates("code", "8302-2");
    for (int i = 0; i < 10_000; i++) {
      written(observation("o" + i, "code-" + (i % 50), "2020-01-01", "Practitioner/a"));
    }

    ValueIndex.Stats stats = values.stats();

    assertThat(stats.covered()).isEqualTo(10_000);
    assertThat(stats.approximateBytes() / stats.covered()).isBetween(20L, 150L);
  }

  private List<String> candidates(String param, String value) {
    return candidates("Observation", param, value);
  }

  private List<String> candidates(String type, String param, String value) {
    return ids(values.candidates(query(type, param, value)).orElseThrow());
  }

  private static SearchQuery query(String type, String param, String value) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put(param, List.of(value));
    return ENGINE.parse(type, params);
  }

  private static List<String> ids(List<VersionMeta> metas) {
    return metas.stream().map(VersionMeta::id).toList();
  }

  private void written(IBaseResource resource) {
    String type = resource.fhirType();
    String id = resource.getIdElement().getIdPart();
    VersionMeta meta = add(type, id, false);
    values.written(List.of(meta), List.of(resource));
  }

  private VersionMeta add(String type, String id, boolean deleted) {
    long version = resources.current(type, id).map(v -> v.version() + 1).orElse(1L);
    VersionMeta meta =
        new VersionMeta(
            type,
            id,
            version,
            ++ledgerIndex,
            Instant.EPOCH,
            deleted,
            "Practitioner/a",
            "p",
            Set.of("grant-1"),
            Set.of());
    resources.add(meta);
    return meta;
  }

  private static Observation observation(String id, String code, String date, String performer) {
    Observation observation = new Observation();
    observation.setId(id);
    observation.setStatus(Observation.ObservationStatus.FINAL);
    observation.setCode(new CodeableConcept(new Coding(LOINC, code, null)));
    observation.setSubject(new Reference("Patient/p"));
    observation.setEffective(new DateTimeType(date));
    observation.addPerformer(new Reference(performer));
    return observation;
  }

  private static Patient patient(String id, String family) {
    Patient patient = new Patient();
    patient.setId(id);
    patient.addName().setFamily(family);
    return patient;
  }
}
