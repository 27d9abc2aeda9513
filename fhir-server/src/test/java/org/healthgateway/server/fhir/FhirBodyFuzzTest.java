package org.healthgateway.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.method.ResourceParameter;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.healthgateway.server.config.UnparsableBodyInterceptor;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Fuzzes the FHIR request body path as the server runs it: HAPI's {@link ResourceParameter} loads
 * the body of a POST with the client's Content-Type (which picks the JSON or XML parser and the
 * charset) and parses it with the server's context (R4, HAPI's default parser options and lenient
 * error handler, its StAX settings with external entities off). The input is one request: the
 * Content-Type value, a newline, the body. Every request either parses or fails with what the
 * server answers with a 4xx: HAPI's own 400 ({@code DataFormatException}), or what {@link
 * UnparsableBodyInterceptor} turns into one. What parses must survive what the store does with it:
 * encoded as JSON (sealed on the ledger) and parsed back on every read. Seeds and regression
 * inputs: {@code FhirBodyFuzzTestInputs/} beside this class.
 */
class FhirBodyFuzzTest {

  private static final FhirContext FHIR = FhirContext.forR4Cached();
  private static final RestfulServer SERVER = new RestfulServer(FHIR);
  // As for a $operation or a transaction: the body may hold any resource type.
  private static final ResourceParameter BODY =
      new ResourceParameter(
          IBaseResource.class, null, ResourceParameter.Mode.RESOURCE, true, false);

  static {
    // The lenient error handler logs every unknown element; the fuzzer makes millions.
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.ERROR);
  }

  @FuzzTest(maxDuration = "5s")
  void parse_anyRequest_parsesOrAnswers4xx(byte[] request) {
    IBaseResource resource;
    try {
      resource =
          (IBaseResource) BODY.translateQueryParametersIntoServerArgument(post(request), null);
    } catch (BaseServerResponseException refused) {
      assertThat(refused.getStatusCode()).isLessThan(500);
      return;
    } catch (RuntimeException e) {
      BaseServerResponseException answer = UnparsableBodyInterceptor.toClientError(e);
      assertThat(answer).as("answer to %s", e).isNotNull();
      assertThat(answer.getStatusCode()).isEqualTo(400);
      return;
    }
    if (resource != null) {
      String stored = FHIR.newJsonParser().encodeResourceToString(resource);
      assertThat(FHIR.newJsonParser().parseResource(stored).fhirType())
          .isEqualTo(resource.fhirType());
    }
  }

  private static ServletRequestDetails post(byte[] request) {
    int newline = 0;
    while (newline < request.length && request[newline] != '\n') {
      newline++;
    }
    MockHttpServletRequest http = new MockHttpServletRequest("POST", "/fhir/Bundle");
    if (newline < request.length) {
      http.setContentType(new String(request, 0, newline, StandardCharsets.ISO_8859_1));
      http.setContent(Arrays.copyOfRange(request, newline + 1, request.length));
    } else {
      http.setContent(request);
    }
    ServletRequestDetails details = new ServletRequestDetails();
    details.setServer(SERVER);
    details.setServletRequest(http);
    details.setRequestType(RequestTypeEnum.POST);
    details.setFhirServerBase("http://localhost:8080/fhir");
    return details;
  }
}
