package org.healthgateway.server.config;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.IValidatorModule;
import org.healthgateway.server.fhir.Outcomes;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validator module whose failures are the client's answer, never a server error: a body the
 * validator cannot parse is 400 with the parser's message (line and column, no class names); any
 * other exception of the validator refuses the resource with 422, since it was not validated, and
 * is logged as a warning without the resource's content.
 */
final class FailClosedValidatorModule implements IValidatorModule {
  private static final Logger LOG = LoggerFactory.getLogger(FailClosedValidatorModule.class);

  static final String VALIDATOR_FAILED =
      "The validator could not check this resource, so it was not accepted";

  private final IValidatorModule delegate;

  FailClosedValidatorModule(IValidatorModule delegate) {
    this.delegate = delegate;
  }

  @Override
  public void validateResource(IValidationContext<IBaseResource> context) {
    try {
      delegate.validateResource(context);
    } catch (BaseServerResponseException e) {
      throw e;
    } catch (RuntimeException e) {
      Throwable parse = parseFailure(e);
      if (parse != null) {
        throw Outcomes.withIssue(
            new InvalidRequestException(
                "The request body is not a valid FHIR resource: "
                    + ErrorText.withoutClassNames(String.valueOf(parse.getMessage()))),
            IssueType.STRUCTURE);
      }
      LOG.warn("Validator failure, resource refused with 422: {}", ErrorText.describe(e));
      LOG.debug("Validator failure", e);
      throw Outcomes.withIssue(
          new UnprocessableEntityException(VALIDATOR_FAILED), IssueType.PROCESSING);
    }
  }

  /** The first parser exception in the cause chain, or null when the failure is not the body's. */
  static Throwable parseFailure(Throwable e) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
      String name = t.getClass().getName();
      if (t instanceof DataFormatException
          || name.startsWith("com.google.gson.")
          || name.startsWith("com.fasterxml.jackson.core.")
          || name.startsWith("com.ctc.wstx.exc.")
          || name.equals("org.hl7.fhir.exceptions.FHIRFormatError")) {
        return t;
      }
    }
    return null;
  }
}
