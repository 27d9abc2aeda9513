package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletConfig;

/** Over HAPI's plain server, with the bodies FhirBodyFuzzTest found. */
class UnparsableBodyInterceptorTest {

  private static final String ROOT_NOT_A_RESOURCE =
      "<extension url=\"http://example.org/ext\"><valueString value=\"y\"/></extension>";

  @Test
  void create_xmlWhoseRootIsNoResource_answers400() throws Exception {
    MockHttpServletResponse response =
        post(server(true), "application/fhir+xml", ROOT_NOT_A_RESOURCE);

    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(response.getContentAsString()).contains(UnparsableBodyInterceptor.MESSAGE);
  }

  @Test
  void create_unknownCharset_answers400() throws Exception {
    MockHttpServletResponse response =
        post(
            server(true),
            "application/fhir+json; charset=x-unknown",
            "{\"resourceType\":\"Patient\"}");

    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(response.getContentAsString()).contains(UnparsableBodyInterceptor.MESSAGE);
  }

  @Test
  void create_withoutTheInterceptor_hapiAnswers500() throws Exception {
    // HAPI 8.8.1's own answers; when this fails, HAPI has fixed them and the interceptor may go.
    assertThat(post(server(false), "application/fhir+xml", ROOT_NOT_A_RESOURCE).getStatus())
        .isEqualTo(500);
    assertThat(
            post(
                    server(false),
                    "application/fhir+json; charset=x-unknown",
                    "{\"resourceType\":\"Patient\"}")
                .getStatus())
        .isEqualTo(500);
  }

  @Test
  void create_validAndMalformedBodies_keepHapisAnswers() throws Exception {
    RestfulServer server = server(true);

    assertThat(post(server, "application/fhir+json", "{\"resourceType\":\"Patient\"}").getStatus())
        .isEqualTo(201);
    assertThat(post(server, "application/fhir+json", "{\"resourceType\":").getStatus())
        .isEqualTo(400);
  }

  @Test
  void toClientError_failureElsewhere_isLeftAlone() {
    assertThat(UnparsableBodyInterceptor.toClientError(new NullPointerException())).isNull();
    assertThat(UnparsableBodyInterceptor.toClientError(new IllegalStateException("x", null)))
        .isNull();
  }

  private static RestfulServer server(boolean withInterceptor) throws Exception {
    RestfulServer server = new RestfulServer(FhirContext.forR4Cached());
    server.setResourceProviders(new PatientProvider());
    if (withInterceptor) {
      server.registerInterceptor(new UnparsableBodyInterceptor());
    }
    server.init(new MockServletConfig());
    return server;
  }

  private static MockHttpServletResponse post(RestfulServer server, String contentType, String body)
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/fhir/Patient");
    request.setServletPath("/fhir");
    request.setContentType(contentType);
    request.setContent(body.getBytes(StandardCharsets.UTF_8));
    MockHttpServletResponse response = new MockHttpServletResponse();
    server.service(request, response);
    return response;
  }

  /** Creates nothing; the body is parsed before it is called. */
  public static final class PatientProvider implements IResourceProvider {
    @Override
    public Class<Patient> getResourceType() {
      return Patient.class;
    }

    @Create
    public MethodOutcome create(@ResourceParam Patient patient) {
      return new MethodOutcome(new IdType("Patient/1/_history/1"), true);
    }
  }
}
