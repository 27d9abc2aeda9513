package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** HAPI's HTTP exceptions with an OperationOutcome that names the issue type, not "processing". */
public final class Outcomes {
  private Outcomes() {}

  /** Attaches an error OperationOutcome with the exception's message and the given issue type. */
  public static <T extends BaseServerResponseException> T withIssue(T exception, IssueType code) {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(code)
        .setDiagnostics(exception.getMessage());
    exception.setOperationOutcome(outcome);
    return exception;
  }
}
