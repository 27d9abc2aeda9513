package org.healthgateway.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.restassured.config.DecoderConfig;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;

/** FHIR helpers shared by the tests: parsers, authenticated requests, common assertions. */
final class Fhir {

  static final FhirContext CTX = FhirContext.forR4Cached();
  static final String JSON_TYPE = "application/fhir+json; charset=UTF-8";
  static final String XML_TYPE = "application/fhir+xml; charset=UTF-8";

  private static final RestAssuredConfig CONFIG =
      RestAssuredConfig.config()
          .encoderConfig(
              EncoderConfig.encoderConfig()
                  .defaultContentCharset("UTF-8")
                  .appendDefaultContentCharsetToContentTypeIfUndefined(false))
          .decoderConfig(DecoderConfig.decoderConfig().defaultContentCharset("UTF-8"));

  private Fhir() {}

  /** A fresh JSON parser (HAPI parsers are not thread-safe; creating one is cheap). */
  static IParser json() {
    return CTX.newJsonParser();
  }

  static IParser xml() {
    return CTX.newXmlParser();
  }

  /** A request to the FHIR base without credentials. */
  static RequestSpecification anonymous(GatewayProcess gateway) {
    return given()
        .config(CONFIG)
        .baseUri(gateway.fhirBase())
        .urlEncodingEnabled(true)
        .accept("application/fhir+json");
  }

  /** A request to the FHIR base with the bearer token of a demo client. */
  static RequestSpecification as(GatewayProcess gateway, String clientId) {
    return anonymous(gateway).header("Authorization", "Bearer " + gateway.token(clientId));
  }

  /** The primitive value of the named part of a Parameters parameter. */
  static String partValue(
      org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent parent, String name) {
    return parent.getPart().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue()
        .primitiveValue();
  }

  /** Parses a response body as JSON or XML, whichever it is. */
  static IBaseResource parse(String body) {
    String trimmed = body.stripLeading();
    return trimmed.startsWith("<") ? xml().parseResource(trimmed) : json().parseResource(trimmed);
  }

  static <T extends IBaseResource> T parse(Class<T> type, String body) {
    String trimmed = body.stripLeading();
    return trimmed.startsWith("<")
        ? xml().parseResource(type, trimmed)
        : json().parseResource(type, trimmed);
  }

  /** Asserts that the response body is an OperationOutcome with at least one issue. */
  static OperationOutcome assertOperationOutcome(Response response) {
    String body = response.asString();
    assertThat(body).as("response body (status %d)", response.statusCode()).isNotBlank();
    IBaseResource resource;
    try {
      resource = parse(body);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "body of " + response.statusCode() + " is not a FHIR resource: " + body, e);
    }
    assertThat(resource)
        .as("body of %d: %s", response.statusCode(), body)
        .isInstanceOf(OperationOutcome.class);
    OperationOutcome outcome = (OperationOutcome) resource;
    assertThat(outcome.getIssue()).as("OperationOutcome.issue").isNotEmpty();
    return outcome;
  }

  /**
   * Asserts what a client of the FHIR API checks on an error: the status, a FHIR JSON body ({@code
   * application/fhir+json}) that is an OperationOutcome, and an issue with one of the given codes;
   * no diagnostics may name a Java class.
   */
  static OperationOutcome assertFhirJsonError(
      int status, String contentType, String body, int expectedStatus, String... issueCodes) {
    assertThat(status).as("status; body: %s", body).isEqualTo(expectedStatus);
    assertThat(contentType)
        .as("Content-Type of %d; body: %s", status, body)
        .isNotNull()
        .startsWith("application/fhir+json");
    OperationOutcome outcome;
    try {
      outcome = json().parseResource(OperationOutcome.class, body);
    } catch (RuntimeException e) {
      throw new AssertionError("body of " + status + " is not an OperationOutcome: " + body, e);
    }
    assertThat(outcome.getIssue()).as("OperationOutcome.issue of %s", body).isNotEmpty();
    if (issueCodes.length > 0) {
      assertThat(outcome.getIssue())
          .as("issue codes of %s", body)
          .anyMatch(issue -> List.of(issueCodes).contains(issue.getCode().toCode()));
    }
    assertThat(outcomeText(outcome))
        .as("diagnostics of %s", body)
        .doesNotContainPattern(JAVA_CLASS);
    return outcome;
  }

  static OperationOutcome assertFhirJsonError(
      Response response, int expectedStatus, String... issueCodes) {
    return assertFhirJsonError(
        response.statusCode(),
        response.header("Content-Type"),
        response.asString(),
        expectedStatus,
        issueCodes);
  }

  static OperationOutcome assertFhirJsonError(
      RawHttp.Answer answer, int expectedStatus, String... issueCodes) {
    return assertFhirJsonError(
        answer.status(), answer.header("Content-Type"), answer.text(), expectedStatus, issueCodes);
  }

  /** A qualified Java class name such as {@code com.google.gson.JsonSyntaxException}. */
  static final String JAVA_CLASS =
      "\\b(?:java|javax|jakarta|com|org|ca|net|io)\\.(?:[a-z][a-z0-9_]*\\.)*[A-Z]\\w*"
          + "|\\b[A-Z]\\w+(?:Exception|Error)\\b";

  /** All diagnostics and details texts of an OperationOutcome, joined. */
  static String outcomeText(OperationOutcome outcome) {
    StringBuilder text = new StringBuilder();
    outcome
        .getIssue()
        .forEach(
            issue ->
                text.append(issue.getDiagnostics())
                    .append(' ')
                    .append(issue.getDetails().getText())
                    .append(' ')
                    .append(issue.getCode())
                    .append('\n'));
    return text.toString();
  }

  /** The current ledger head ({@code GET /fhir/$ledger-head}). */
  static LedgerHead ledgerHead(GatewayProcess gateway) {
    Response response = as(gateway, GatewayProcess.EHR).get("/$ledger-head");
    assertThat(response.statusCode()).as("$ledger-head: %s", response.asString()).isEqualTo(200);
    Parameters parameters = parse(Parameters.class, response.asString());
    assertThat(parameters.getParameter("treeSize")).as("treeSize").isNotNull();
    int treeSize =
        ((org.hl7.fhir.r4.model.IntegerType) parameters.getParameter("treeSize").getValue())
            .getValue();
    byte[] rootHash =
        parameters.getParameter("rootHash") == null
            ? new byte[0]
            : ((org.hl7.fhir.r4.model.Base64BinaryType)
                    parameters.getParameter("rootHash").getValue())
                .getValue();
    String nodeKey =
        parameters.getParameter("nodeKey") == null
            ? null
            : parameters.getParameter("nodeKey").getValue().primitiveValue();
    return new LedgerHead(treeSize, rootHash, nodeKey);
  }

  /** {@code Type/id} of a Location or fullUrl, dropping the base URL and any {@code _history}. */
  static String relativeId(String location) {
    String path = location;
    int history = path.indexOf("/_history/");
    if (history >= 0) {
      path = path.substring(0, history);
    }
    String[] segments = path.split("/");
    assertThat(segments.length).as("location %s", location).isGreaterThanOrEqualTo(2);
    return segments[segments.length - 2] + "/" + segments[segments.length - 1];
  }

  /** Reads all pages of a search, following {@code next} links, and returns the match entries. */
  static List<Resource> searchAllPages(GatewayProcess gateway, String clientId, Response first) {
    List<Resource> matches = new ArrayList<>();
    Response page = first;
    for (int pages = 0; pages < 1000; pages++) {
      assertThat(page.statusCode()).as("search page: %s", page.asString()).isEqualTo(200);
      Bundle bundle = parse(Bundle.class, page.asString());
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        if (!entry.getSearch().hasMode()
            || entry.getSearch().getMode() == Bundle.SearchEntryMode.MATCH) {
          matches.add(entry.getResource());
        }
      }
      Bundle.BundleLinkComponent next = bundle.getLink(Bundle.LINK_NEXT);
      if (next == null || !next.hasUrl()) {
        return matches;
      }
      page =
          given()
              .config(CONFIG)
              .urlEncodingEnabled(false)
              .accept("application/fhir+json")
              .header("Authorization", "Bearer " + gateway.token(clientId))
              .get(next.getUrl());
    }
    throw new AssertionError("more than 1000 pages");
  }

  /** Ledger size and root as reported by {@code $ledger-head}. */
  record LedgerHead(int treeSize, byte[] rootHash, String nodeKey) {}
}
