package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Bad or hostile input is refused with an OperationOutcome and the right status, and nothing of it
 * reaches the ledger.
 */
@Order(2)
class BadInputTest {

  private static GatewayProcess gateway;
  private static String patientP;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
    patientP = gateway.fhirUser(GatewayProcess.PATIENT_P);
  }

  private static String observation(String id, String extra) {
    return "{\"resourceType\":\"Observation\","
        + (id == null ? "" : "\"id\":\"" + id + "\",")
        + "\"status\":\"final\","
        + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\","
        + "\"display\":\"Heart rate\"}]},"
        + "\"subject\":{\"reference\":\""
        + patientP
        + "\"},"
        + extra
        + "\"valueQuantity\":{\"value\":72,\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\","
        + "\"code\":\"/min\"}}";
  }

  /** Sends the request and asserts status, OperationOutcome body and unchanged ledger size. */
  private static Response assertRejected(Supplier<Response> request, Integer... statuses) {
    int before = Fhir.ledgerHead(gateway).treeSize();
    Response response = request.get();
    assertThat(response.statusCode())
        .as("status; body: %s", response.asString())
        .isIn((Object[]) statuses);
    Fhir.assertOperationOutcome(response);
    assertThat(Fhir.ledgerHead(gateway).treeSize())
        .as("ledger size after rejected request")
        .isEqualTo(before);
    return response;
  }

  private static io.restassured.specification.RequestSpecification practitionerA() {
    return Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).contentType(Fhir.JSON_TYPE);
  }

  @Test
  void create_malformedJson_400() {
    assertRejected(
        () ->
            practitionerA()
                .body("{\"resourceType\":\"Observation\",\"status\":")
                .post("/Observation"),
        400);
  }

  @Test
  void create_invalidResource_422() {
    assertRejected(
        () ->
            practitionerA()
                .body(
                    "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\""
                        + patientP
                        + "\"}}")
                .post("/Observation"),
        422);
  }

  @Test
  void create_unknownResourceType_404or400() {
    assertRejected(
        () -> practitionerA().body("{\"resourceType\":\"FooBar\"}").post("/FooBar"), 404, 400);
    assertRejected(() -> practitionerA().get("/FooBar/1"), 404, 400);
  }

  @Test
  void create_bodyTypeDiffersFromUrl_400() {
    assertRejected(() -> practitionerA().body(observation(null, "")).post("/Condition"), 400);
  }

  @Test
  void update_bodyIdDiffersFromUrl_400() {
    assertRejected(
        () -> practitionerA().body(observation("other-id", "")).put("/Observation/this-id"), 400);
  }

  @Test
  void create_bodyOverLimit_413() {
    String note = "x".repeat(200 * 1024);
    String body = observation(null, "\"note\":[{\"text\":\"" + note + "\"}],");
    assertThat(body.length()).isGreaterThan(SharedGateway.MAX_BODY_BYTES * 3);
    assertRejected(() -> practitionerA().body(body).post("/Observation"), 413);
  }

  @Test
  void create_xmlExternalEntity_notResolved() {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<!DOCTYPE Observation [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
            + "<Observation xmlns=\"http://hl7.org/fhir\">"
            + "<status value=\"final\"/>"
            + "<code><text value=\"&xxe;\"/></code>"
            + "<subject><reference value=\""
            + patientP
            + "\"/></subject>"
            + "<valueString value=\"&xxe;\"/>"
            + "</Observation>";
    Response response =
        assertRejected(
            () ->
                Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                    .contentType(Fhir.XML_TYPE)
                    .body(xml)
                    .post("/Observation"),
            400,
            422);
    assertThat(response.asString()).doesNotContain("root:");

    String externalDtd =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Observation SYSTEM \"file:///etc/passwd\">\n"
            + "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/></Observation>";
    Response dtd =
        assertRejected(
            () ->
                Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                    .contentType(Fhir.XML_TYPE)
                    .body(externalDtd)
                    .post("/Observation"),
            400,
            422);
    assertThat(dtd.asString()).doesNotContain("root:");
  }

  @Test
  void create_xmlRootIsNoResource_4xxNot500() {
    // Found by FhirBodyFuzzTest: HAPI 8.8.1 throws NullPointerException for an XML root element
    // that is no resource (a 500 without UnparsableBodyInterceptor, or with validation off).
    assertRejected(
        () ->
            Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                .contentType(Fhir.XML_TYPE)
                .body(
                    "<extension url=\"http://example.org/x\"><valueString value=\"y\"/></extension>")
                .post("/Observation"),
        400,
        422);
  }

  @Test
  void create_ifNoneExistWithBadPercentEncoding_400() {
    // Found by SearchUrlFuzzTest: URLDecoder's IllegalArgumentException was a 500.
    assertRejected(
        () ->
            practitionerA()
                .header("If-None-Exist", "identifier=%zz")
                .body(observation(null, ""))
                .post("/Observation"),
        400);
  }

  @Test
  void transaction_oneInvalidEntry_nothingWritten() {
    String system = "urn:uuid:" + UUID.randomUUID();
    String valid =
        observation(null, "\"identifier\":[{\"system\":\"" + system + "\",\"value\":\"valid\"}],");
    String invalid =
        "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"" + patientP + "\"}}";
    String bundle = transaction(valid, invalid);
    assertRejected(() -> practitionerA().body(bundle).post(""), 400, 422);
    assertNoObservationWithIdentifier(system + "|valid");
  }

  @Test
  void transaction_danglingUrnUuidReference_nothingWritten() {
    String system = "urn:uuid:" + UUID.randomUUID();
    String first =
        observation(null, "\"identifier\":[{\"system\":\"" + system + "\",\"value\":\"first\"}],");
    String dangling =
        observation(null, "")
            .replace(
                "\"subject\":{\"reference\":\"" + patientP + "\"}",
                "\"subject\":{\"reference\":\""
                    + patientP
                    + "\"},"
                    + "\"hasMember\":[{\"reference\":\"urn:uuid:"
                    + UUID.randomUUID()
                    + "\"}]");
    assertThat(dangling).contains("hasMember");
    String bundle = transaction(first, dangling);
    assertRejected(() -> practitionerA().body(bundle).post(""), 400, 404, 422);
    assertNoObservationWithIdentifier(system + "|first");
  }

  private static String transaction(String... resources) {
    StringBuilder bundle =
        new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
    for (int i = 0; i < resources.length; i++) {
      bundle
          .append(i == 0 ? "" : ",")
          .append("{\"fullUrl\":\"urn:uuid:")
          .append(UUID.randomUUID())
          .append("\",\"resource\":")
          .append(resources[i])
          .append(",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}");
    }
    return bundle.append("]}").toString();
  }

  private static void assertNoObservationWithIdentifier(String identifier) {
    Response search =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .queryParam("identifier", identifier)
            .get("/Observation");
    assertThat(search.statusCode()).as("search: %s", search.asString()).isEqualTo(200);
    assertThat(Fhir.parse(Bundle.class, search.asString()).getEntry())
        .as("Observations written by the rejected transaction")
        .isEmpty();
  }

  @Test
  void request_withoutToken_401WithBearerChallenge() {
    assertUnauthorized(() -> Fhir.anonymous(gateway).get("/" + patientP));
    assertUnauthorized(
        () ->
            Fhir.anonymous(gateway)
                .contentType(Fhir.JSON_TYPE)
                .body(observation(null, ""))
                .post("/Observation"));
  }

  @Test
  void request_withBadToken_401WithBearerChallenge() {
    assertUnauthorized(
        () ->
            Fhir.anonymous(gateway)
                .header("Authorization", "Bearer not-a-token")
                .get("/" + patientP));
    String token = gateway.token(GatewayProcess.PRACTITIONER_A);
    char last = token.charAt(token.length() - 2);
    String tampered =
        token.substring(0, token.length() - 2)
            + (last == 'A' ? 'B' : 'A')
            + token.charAt(token.length() - 1);
    assertUnauthorized(
        () ->
            Fhir.anonymous(gateway)
                .header("Authorization", "Bearer " + tampered)
                .contentType(Fhir.JSON_TYPE)
                .body(observation(null, ""))
                .post("/Observation"));
  }

  private static void assertUnauthorized(Supplier<Response> request) {
    Response response = assertRejected(request, 401);
    assertThat(response.header("WWW-Authenticate")).as("WWW-Authenticate").startsWith("Bearer");
  }

  @Test
  void delete_withoutIdOrWithCriteria_refusedWithOutcomeAndNoStackTrace() {
    int logStart = gateway.readLog().length();
    for (String path : List.of("/Observation", "/Observation?code=x", "/Subscription/")) {
      Response response = assertRejected(() -> practitionerA().delete(path), 400, 405);
      Fhir.assertFhirJsonError(response, response.statusCode(), "not-supported", "invalid");
    }
    for (String url : List.of("Observation", "Observation?code=x", "Subscription/")) {
      String entry = "{\"request\":{\"method\":\"DELETE\",\"url\":\"" + url + "\"}}";
      String transaction =
          "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entry + "]}";
      Response refused = assertRejected(() -> practitionerA().body(transaction).post(""), 400);
      Fhir.assertFhirJsonError(refused, 400, "not-supported", "invalid");

      String batch = transaction.replace("\"transaction\"", "\"batch\"");
      Response answered = practitionerA().body(batch).post("");
      assertThat(answered.statusCode()).as("batch: %s", answered.asString()).isEqualTo(200);
      Bundle.BundleEntryResponseComponent result =
          Fhir.parse(Bundle.class, answered.asString()).getEntryFirstRep().getResponse();
      assertThat(result.getStatus()).as("batch entry DELETE %s", url).startsWith("400");
    }
    gateway.assertLogQuietSince(logStart);
  }

  @Test
  void create_invalidUtf8Body_400() {
    byte[] latin1 =
        ("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"M\u00fcller\"}]}")
            .getBytes(StandardCharsets.ISO_8859_1);
    Response response = assertRejected(() -> practitionerA().body(latin1).post("/Patient"), 400);
    Fhir.assertFhirJsonError(response, 400, "invalid", "structure");
  }

  @Test
  void create_parseErrors_stableMessagesWithoutClassNames() {
    for (String body :
        List.of(
            "{\"resourceType\":\"Observation\",\"status\":",
            "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\""
                + patientP
                + "\"},\"effectiveDateTime\":}")) {
      Response response =
          assertRejected(() -> practitionerA().body(body).post("/Observation"), 400);
      Fhir.assertFhirJsonError(response, 400);
    }
    String xml = "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/>";
    Response response =
        assertRejected(
            () ->
                Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                    .contentType(Fhir.XML_TYPE)
                    .accept("application/fhir+json")
                    .body(xml)
                    .post("/Observation"),
            400,
            422);
    Fhir.assertFhirJsonError(response, response.statusCode());
  }

  /**
   * FHIR search syntax as curl users and scripts type it: a token's {@code system|code} with a raw
   * {@code |}, which Tomcat refuses by default with an HTML 400 before the FHIR server sees it.
   */
  @Test
  void search_rawPipeInTokenSearch_answersAsEncoded() {
    // A directory resource: public, so the searches add no access-log entries to the ledger that
    // the other tests count.
    String system = "urn:uuid:" + UUID.randomUUID();
    Response created =
        practitionerA()
            .body(
                "{\"resourceType\":\"Organization\",\"name\":\"Raw pipe clinic\","
                    + "\"identifier\":[{\"system\":\""
                    + system
                    + "\",\"value\":\"v\"}]}")
            .post("/Organization");
    assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
    String bearer = RawHttp.bearer(gateway, GatewayProcess.PRACTITIONER_A).get(0);

    RawHttp.Answer raw =
        RawHttp.get(gateway, "/fhir/Organization?identifier=" + system + "|v", bearer);
    RawHttp.Answer encoded =
        RawHttp.get(gateway, "/fhir/Organization?identifier=" + system + "%7Cv", bearer);

    assertThat(raw.status()).as(raw.text()).isEqualTo(200);
    assertThat(Fhir.parse(Bundle.class, raw.text()).getEntry())
        .hasSize(1)
        .hasSameSizeAs(Fhir.parse(Bundle.class, encoded.text()).getEntry());
  }

  @Test
  void path_traversalAndBadEncoding_400Outcome() {
    for (String target :
        List.of(
            "/fhir/Patient/../x",
            "/fhir/Patient/%2e%2e%2fx",
            "/fhir/Patient/%2e%2e/x",
            "/fhir/Patient/a%2fb",
            "/fhir/Patient/a%5cb",
            "/fhir/Patient/%zz",
            "/fhir/Patient?name=%zz",
            "/fhir/Patient/a%00b",
            "/fhir/Patient;x=y",
            "/fhir//Patient")) {
      RawHttp.Answer answer =
          RawHttp.get(
              gateway, target, RawHttp.bearer(gateway, GatewayProcess.PRACTITIONER_A).get(0));
      Fhir.assertFhirJsonError(answer, 400, "invalid", "processing", "not-supported");
    }
  }

  @Test
  void request_urlOrHeaderTooLarge_414or431Outcome() {
    String longUrl = "/fhir/Patient?name=" + "a".repeat(100 * 1024);
    Fhir.assertFhirJsonError(RawHttp.get(gateway, longUrl), 414, "too-costly", "invalid");
    RawHttp.Answer header =
        RawHttp.get(gateway, "/fhir/Patient", "X-Big: " + "a".repeat(20 * 1024));
    Fhir.assertFhirJsonError(header, 431, "too-costly", "invalid");
  }

  @Test
  void request_controlCharacterInHeader_400Outcome() {
    RawHttp.Answer answer = RawHttp.get(gateway, "/fhir/Patient", "X-Note: a\u0001b");
    Fhir.assertFhirJsonError(answer, 400, "invalid", "processing");
  }

  @Test
  void request_unsupportedMethodOrMediaType_outcome() {
    List<String> auth = RawHttp.bearer(gateway, GatewayProcess.PRACTITIONER_A);
    for (String method : List.of("TRACE", "FOO", "PATCH")) {
      RawHttp.Answer answer = RawHttp.send(gateway, method, "/fhir/Patient", auth, null);
      Fhir.assertFhirJsonError(answer, 405, "not-supported");
    }
    RawHttp.Answer plain =
        RawHttp.send(
            gateway,
            "POST",
            "/fhir/Observation",
            RawHttp.bearer(gateway, GatewayProcess.PRACTITIONER_A, "Content-Type: text/plain"),
            observation(null, "").getBytes(StandardCharsets.UTF_8));
    Fhir.assertFhirJsonError(plain, 415, "not-supported", "invalid");
    RawHttp.Answer malformed =
        RawHttp.send(
            gateway,
            "POST",
            "/fhir/Observation",
            RawHttp.bearer(gateway, GatewayProcess.PRACTITIONER_A, "Content-Type: ;;;="),
            observation(null, "").getBytes(StandardCharsets.UTF_8));
    Fhir.assertFhirJsonError(malformed, 415, "not-supported", "invalid");
    RawHttp.Answer charset =
        RawHttp.send(
            gateway,
            "POST",
            "/fhir/Observation",
            RawHttp.bearer(
                gateway,
                GatewayProcess.PRACTITIONER_A,
                "Content-Type: application/fhir+json; charset=no-such-charset"),
            observation(null, "").getBytes(StandardCharsets.UTF_8));
    Fhir.assertFhirJsonError(charset, 415, "not-supported", "invalid");
  }

  @Test
  void create_bodyInAnotherCharset_415() {
    byte[] latin1 =
        ("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"M\u00fcller\"}]}")
            .getBytes(StandardCharsets.ISO_8859_1);
    Response response =
        assertRejected(
            () ->
                Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                    .contentType("application/fhir+json; charset=ISO-8859-1")
                    .body(latin1)
                    .post("/Patient"),
            415);
    Fhir.assertFhirJsonError(response, 415, "not-supported");
  }

  @Test
  void head_onFhirApi_answersLikeGetWithoutBody() {
    RawHttp.Answer metadata = RawHttp.send(gateway, "HEAD", "/fhir/metadata", List.of(), null);
    assertThat(metadata.status()).as("HEAD metadata").isEqualTo(200);
    assertThat(metadata.mediaType()).isEqualTo("application/fhir+json");
    assertThat(metadata.body()).isEmpty();
    RawHttp.Answer patient =
        RawHttp.send(
            gateway,
            "HEAD",
            "/fhir/" + patientP,
            RawHttp.bearer(gateway, GatewayProcess.PATIENT_P),
            null);
    assertThat(patient.status()).as("HEAD %s", patientP).isEqualTo(200);
    assertThat(patient.header("ETag")).isNotBlank();
    assertThat(patient.body()).isEmpty();
  }
}
