package org.healthgateway.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.healthgateway.server.search.Include;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.search.SearchQuery;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Fuzzes search-parameter parsing and matching with arbitrary names and values: {@code Type?query}
 * as a conditional URL or {@code If-None-Exist} carries it (and, once decoded, as a search
 * request's parameters), through {@link QueryStrings#parse} and {@link SearchEngine#parse}, then
 * matched, sorted and followed for includes over sample resources. Every input either yields a
 * query or throws {@link InvalidRequestException}, which HAPI answers with 400. Seeds and
 * regression inputs: {@code SearchUrlFuzzTestInputs/} beside this class.
 */
class SearchUrlFuzzTest {

  private static final FhirContext FHIR = FhirContext.forR4Cached();
  private static final SearchEngine ENGINE = new SearchEngine(FHIR);
  private static final List<IBaseResource> SAMPLES = samples();

  @FuzzTest(maxDuration = "5s")
  void parse_anyUrl_parsesOrThrowsInvalidRequest(byte[] input) {
    String url = new String(input, StandardCharsets.UTF_8);
    int q = url.indexOf('?');
    String type = q < 0 ? url : url.substring(0, q);
    SearchQuery query;
    try {
      Map<String, List<String>> params = QueryStrings.parse(q < 0 ? "" : url.substring(q + 1));
      query = ENGINE.parse(type, params);
    } catch (InvalidRequestException refused) {
      return;
    }
    List<IBaseResource> matches = new ArrayList<>();
    for (IBaseResource sample : SAMPLES) {
      if (query.matches(sample)) {
        matches.add(sample);
      }
    }
    query.sort().ifPresent(matches::sort);
    for (IBaseResource sample : SAMPLES) {
      for (Include include : query.includes()) {
        query.referencedIds(sample, include);
      }
      for (Include include : query.revIncludes()) {
        query.referencedIds(sample, include);
      }
    }
  }

  private static List<IBaseResource> samples() {
    try (InputStream in = SearchUrlFuzzTest.class.getResourceAsStream("search-samples.json")) {
      Bundle bundle =
          FHIR.newJsonParser()
              .parseResource(Bundle.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<IBaseResource> resources = new ArrayList<>();
      bundle.getEntry().forEach(entry -> resources.add(entry.getResource()));
      return List.copyOf(resources);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
