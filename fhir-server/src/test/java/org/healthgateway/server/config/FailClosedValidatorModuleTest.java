package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.validation.IValidatorModule;
import com.google.gson.JsonParser;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

class FailClosedValidatorModuleTest {

  private static BaseServerResponseException refusal(RuntimeException thrown) {
    IValidatorModule crashing =
        context -> {
          throw thrown;
        };
    try {
      new FailClosedValidatorModule(crashing).validateResource(null);
    } catch (BaseServerResponseException e) {
      return e;
    }
    throw new AssertionError("the module accepted what its validator failed on");
  }

  private static String issueCode(BaseServerResponseException e) {
    return ((OperationOutcome) e.getOperationOutcome()).getIssueFirstRep().getCode().toCode();
  }

  @Test
  void validateResource_validatorCrash_422WithoutClassNames() {
    BaseServerResponseException e =
        refusal(
            new UnsupportedOperationException(
                "HAPI-0650: Unable to fetch resources of type: class"
                    + " org.hl7.fhir.r5.model.CodeSystem"));
    assertThat(e.getStatusCode()).isEqualTo(422);
    assertThat(e.getMessage()).isEqualTo(FailClosedValidatorModule.VALIDATOR_FAILED);
    assertThat(issueCode(e)).isEqualTo("processing");
  }

  @Test
  void validateResource_truncatedJson_400WithPositionAndNoClassNames() {
    RuntimeException gson = catchRuntimeException(() -> JsonParser.parseString("{\"status\":"));
    BaseServerResponseException e = refusal(gson);
    assertThat(e.getStatusCode()).isEqualTo(400);
    assertThat(e.getMessage())
        .startsWith("The request body is not a valid FHIR resource: ")
        .contains("line 1 column 11");
    assertThat(ErrorText.namesJavaClass(e.getMessage())).as(e.getMessage()).isFalse();
    assertThat(issueCode(e)).isEqualTo("structure");
  }

  @Test
  void validateResource_hapiParserError_400KeepsHapiCode() {
    BaseServerResponseException e =
        refusal(
            new DataFormatException(
                "HAPI-1861: Failed to parse JSON encoded FHIR content: Unexpected end-of-input"));
    assertThat(e.getStatusCode()).isEqualTo(400);
    assertThat(e.getMessage()).contains("HAPI-1861").doesNotContain("DataFormatException");
  }

  @Test
  void validateResource_httpError_passesThrough() {
    PreconditionFailedException precondition = new PreconditionFailedException("no");
    assertThat(refusal(precondition)).isSameAs(precondition);
  }
}
