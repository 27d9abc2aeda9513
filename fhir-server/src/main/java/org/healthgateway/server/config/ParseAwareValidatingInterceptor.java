package org.healthgateway.server.config;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.IValidatorModule;
import ca.uhn.fhir.validation.ValidationResult;
import org.healthgateway.server.fhir.Outcomes;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HAPI's request validation, failing closed: every validator module runs inside a {@link
 * FailClosedValidatorModule} (a body that does not parse is 400, a validator crash 422), and any
 * failure HAPI still reports as a server error ({@code HAPI-0331}, which drops the cause) refuses
 * the resource with 422 as well. HAPI's own alternative, {@code setIgnoreValidatorExceptions},
 * would accept the resource unvalidated.
 */
public final class ParseAwareValidatingInterceptor extends RequestValidatingInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ParseAwareValidatingInterceptor.class);

  @Override
  public ParseAwareValidatingInterceptor addValidatorModule(IValidatorModule module) {
    super.addValidatorModule(new FailClosedValidatorModule(module));
    return this;
  }

  @Override
  protected ValidationResult validate(String request, RequestDetails details) {
    try {
      return super.validate(request, details);
    } catch (InternalErrorException e) {
      LOG.warn("Validation failure, resource refused with 422: {}", ErrorText.describe(e));
      throw Outcomes.withIssue(
          new UnprocessableEntityException(FailClosedValidatorModule.VALIDATOR_FAILED),
          IssueType.PROCESSING);
    }
  }
}
