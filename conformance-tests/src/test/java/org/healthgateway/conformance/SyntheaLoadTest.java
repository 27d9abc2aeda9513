package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * An integration engine loads the Synthea sample (directory batches, then every patient
 * transaction) and the records come back as sent: by read, by {@code $everything} and by search.
 */
@Order(7)
class SyntheaLoadTest {

  private static final String SNOMED = "http://snomed.info/sct";
  private static final OffsetDateTime DATE_FROM =
      OffsetDateTime.of(2015, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private static LoadedGateway loaded;

  @BeforeAll
  static void load() {
    loaded = LoadedGateway.shared();
  }

  @Test
  void load_everyBundleEntry_answered2xx() {
    List<String> failures = new ArrayList<>();
    List<LoadedGateway.LoadedBundle> all = new ArrayList<>(loaded.directory);
    all.addAll(loaded.patients);
    for (LoadedGateway.LoadedBundle bundle : all) {
      String name = bundle.file().name();
      if (bundle.httpStatus() != 200) {
        failures.add(
            name + ": HTTP " + bundle.httpStatus() + " " + abbreviate(bundle.responseBody()));
        continue;
      }
      if (bundle.results().size() != bundle.file().entries().size()) {
        failures.add(
            name
                + ": "
                + bundle.results().size()
                + " response entries for "
                + bundle.file().entries().size()
                + " request entries");
      }
      for (int i = 0; i < bundle.results().size(); i++) {
        LoadedGateway.EntryResult result = bundle.results().get(i);
        if (!result.is2xx() || result.location() == null) {
          failures.add(name + " entry " + i + ": " + result);
        }
      }
    }
    assertThat(failures).as("bundle entries not answered 2xx with a Location").isEmpty();
  }

  @Test
  void loadedRecords_readBackEqual() throws Exception {
    ResourceNormalizer normalizer = new ResourceNormalizer(loaded.gateway.fhirBase());
    List<LoadedGateway.LoadedBundle> all = new ArrayList<>(loaded.directory);
    all.addAll(loaded.patients);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String token = loaded.gateway.token(GatewayProcess.EHR);
    List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> reads = new ArrayList<>();
      for (LoadedGateway.LoadedBundle bundle : all) {
        for (int i = 0; i < bundle.results().size(); i++) {
          SyntheaData.Entry entry = bundle.file().entries().get(i);
          LoadedGateway.EntryResult result = bundle.results().get(i);
          if (!result.created()) {
            continue; // an ifNoneExist match returns an existing resource, not this one
          }
          String id = Fhir.relativeId(result.location());
          String where = bundle.file().name() + " entry " + i + " (" + id + ")";
          reads.add(
              pool.submit(
                  () -> {
                    String mismatch = compare(http, token, normalizer, entry, id);
                    if (mismatch != null) {
                      mismatches.add(where + ": " + mismatch);
                    }
                    return null;
                  }));
        }
      }
      for (Future<?> read : reads) {
        read.get();
      }
      assertThat(reads).as("resources read back").isNotEmpty();
    } finally {
      pool.shutdownNow();
    }
    assertThat(mismatches.stream().limit(20).toList())
        .as("%d resources differ from what was sent (first 20 shown)", mismatches.size())
        .isEmpty();
  }

  private String compare(
      HttpClient http,
      String token,
      ResourceNormalizer normalizer,
      SyntheaData.Entry entry,
      String id)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(loaded.gateway.fhirBase() + "/" + id))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/fhir+json")
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return "read answered " + response.statusCode() + " " + abbreviate(response.body());
    }
    return normalizer.difference(
        entry.resourceType(), entry.resource(), response.body(), loaded.referenceMap());
  }

  @Test
  void everything_eachPatient_returnsWholeRecord() {
    List<String> failures = new ArrayList<>();
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      String patientId = loaded.patientId(bundle);
      Set<String> expected =
          bundle.file().entries().stream()
              .map(entry -> loaded.idByFullUrl.get(entry.fullUrl()))
              .collect(Collectors.toSet());
      Response first =
          Fhir.as(loaded.gateway, GatewayProcess.EHR)
              .queryParam("_count", 500)
              .get("/" + patientId + "/$everything");
      List<Resource> returned = Fhir.searchAllPages(loaded.gateway, GatewayProcess.EHR, first);
      Set<String> ids = new HashSet<>();
      returned.forEach(
          resource -> ids.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart()));
      Set<String> missing = new HashSet<>(expected);
      missing.removeAll(ids);
      Set<String> unexpected =
          ids.stream()
              .filter(id -> !expected.contains(id))
              .filter(id -> !SyntheaData.DIRECTORY_TYPES.contains(id.split("/")[0]))
              .collect(Collectors.toSet());
      if (!missing.isEmpty() || !unexpected.isEmpty()) {
        failures.add(
            bundle.file().name()
                + ": "
                + missing.size()
                + " of "
                + expected.size()
                + " missing (e.g. "
                + missing.stream().limit(3).toList()
                + "), "
                + unexpected.size()
                + " unexpected (e.g. "
                + unexpected.stream().limit(3).toList()
                + ")");
      }
      if (returned.size() != ids.size()) {
        failures.add(bundle.file().name() + ": duplicates in $everything");
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void searchObservationByPatient_countsMatchBundle() {
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      long expected = bundle.file().ofType("Observation").size();
      assertSearchCount(
          "Observation", Map.of("patient", loaded.patientId(bundle)), expected, bundle);
    }
  }

  @Test
  void searchObservationByPatientAndCategory_countsMatchBundle() {
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      for (String category : List.of("laboratory", "survey", "exam")) {
        assertSearchCount(
            "Observation",
            Map.of("patient", loaded.patientId(bundle), "category", category),
            bundle.file().observationsInCategory(category),
            bundle);
      }
    }
  }

  @Test
  void searchConditionByCode_countsMatchBundles() {
    Set<String> codes = new HashSet<>();
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      for (SyntheaData.Entry condition : bundle.file().ofType("Condition")) {
        for (JsonNode coding : condition.resource().path("code").path("coding")) {
          if (SNOMED.equals(coding.path("system").asText())) {
            codes.add(coding.path("code").asText());
          }
        }
      }
    }
    assertThat(codes).as("SNOMED codes of Conditions in the sample").isNotEmpty();
    for (String code : codes) {
      long expected =
          loaded.patients.stream()
              .mapToLong(bundle -> bundle.file().conditionsWithCode(SNOMED, code))
              .sum();
      assertSearchCount("Condition", Map.of("code", SNOMED + "|" + code), expected, null);
      LoadedGateway.LoadedBundle first = loaded.patients.get(0);
      assertSearchCount(
          "Condition",
          Map.of("patient", loaded.patientId(first), "code", SNOMED + "|" + code),
          first.file().conditionsWithCode(SNOMED, code),
          first);
    }
    assertSearchCount("Condition", Map.of("code", SNOMED + "|0000000"), 0, null);
  }

  @Test
  void searchEncounterByPatientAndDate_countsMatchBundle() {
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      assertSearchCount(
          "Encounter",
          Map.of("patient", loaded.patientId(bundle), "date", "ge2015-01-01"),
          bundle.file().encountersEndingOnOrAfter(DATE_FROM),
          bundle);
    }
  }

  /** Checks {@code _summary=count} and the number of matches over all pages. */
  private void assertSearchCount(
      String type, Map<String, String> params, long expected, LoadedGateway.LoadedBundle bundle) {
    String description =
        type + "?" + params + (bundle == null ? "" : " for " + bundle.file().name());
    Response summary =
        Fhir.as(loaded.gateway, GatewayProcess.EHR)
            .queryParams(params)
            .queryParam("_summary", "count")
            .get("/" + type);
    assertThat(summary.statusCode()).as("%s: %s", description, summary.asString()).isEqualTo(200);
    Bundle counted = Fhir.parse(Bundle.class, summary.asString());
    assertThat(counted.hasTotal()).as("%s _summary=count has total", description).isTrue();
    assertThat(counted.getTotal()).as("%s _summary=count total", description).isEqualTo(expected);

    Response first =
        Fhir.as(loaded.gateway, GatewayProcess.EHR)
            .queryParams(params)
            .queryParam("_count", 100)
            .get("/" + type);
    List<Resource> matches = Fhir.searchAllPages(loaded.gateway, GatewayProcess.EHR, first);
    assertThat(matches).as("%s matches over all pages", description).hasSize((int) expected);
    assertThat(matches).allMatch(resource -> resource.fhirType().equals(type));
    assertThat(matches.stream().map(r -> r.getIdElement().getIdPart()).distinct().count())
        .as("%s distinct ids over all pages", description)
        .isEqualTo(expected);
  }

  private static String abbreviate(String text) {
    return text == null || text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
