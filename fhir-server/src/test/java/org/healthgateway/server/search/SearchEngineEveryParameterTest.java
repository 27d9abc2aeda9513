package org.healthgateway.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

/**
 * Every search parameter HAPI defines for every R4 type, with a value of its kind, gives a query
 * that matches an empty resource of the type without throwing, or a 400: the systematic half of
 * SearchUrlFuzzTest, which can't guess every parameter name.
 */
class SearchEngineEveryParameterTest {

  private static final FhirContext CTX = FhirContext.forR4Cached();

  @Test
  void parse_everyParameterOfEveryType_queriesOrRefusesWith400() {
    SearchEngine engine = new SearchEngine(CTX);
    List<String> failures = new ArrayList<>();
    int queries = 0;
    for (String type : CTX.getResourceTypes()) {
      RuntimeResourceDefinition definition = CTX.getResourceDefinition(type);
      IBaseResource empty = definition.newInstance();
      for (RuntimeSearchParam param : definition.getSearchParams()) {
        for (String modifier : List.of("", ":missing", ":not", ":exact", ":Patient")) {
          String name = param.getName() + modifier;
          String value = modifier.equals(":missing") ? "true" : value(param);
          try {
            SearchQuery query = engine.parse(type, Map.of(name, List.of(value)));
            query.matches(empty);
            queries++;
          } catch (InvalidRequestException refused) {
            // a 400
          } catch (RuntimeException e) {
            failures.add(type + "?" + name + "=" + value + ": " + e);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(queries).isGreaterThan(1000);
  }

  private static String value(RuntimeSearchParam param) {
    return switch (param.getParamType()) {
      case DATE -> "ge2020-01-01";
      case REFERENCE -> "Patient/1";
      case URI -> "http://example.org/x";
      case TOKEN -> "http://example.org|x";
      default -> "x";
    };
  }
}
