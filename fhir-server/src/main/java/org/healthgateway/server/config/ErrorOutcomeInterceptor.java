package org.healthgateway.server.config;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Every error HAPI answers gets an OperationOutcome a client can rely on: an issue type that fits
 * the status (not always "processing"), diagnostics without Java class names, and for server errors
 * a fixed sentence with the request id instead of an exception's text. HAPI's "no or wrong
 * Content-Type for a body" (HAPI-0448, HAPI-0449) is 415, not 400. Outcomes the application or the
 * validator attached are kept as they are.
 */
@Interceptor
public final class ErrorOutcomeInterceptor {
  private static final Pattern HAPI_CODE = Pattern.compile("HAPI-\\d{4}");

  @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
  public BaseServerResponseException outgoing(RequestDetails request, Throwable thrown) {
    BaseServerResponseException e =
        thrown instanceof BaseServerResponseException http
            ? http
            : new InternalErrorException("Unexpected failure", thrown);
    if (e.getOperationOutcome() != null) {
      return e;
    }
    String message = ErrorText.withoutClassNames(e.getMessage());
    String code = hapiCode(e.getMessage());
    if ("HAPI-0448".equals(code) || "HAPI-0449".equals(code)) {
      e = new UnclassifiedServerFailureException(415, message);
    }
    int status = e.getStatusCode();
    if (status >= 500) {
      message =
          "Internal error: the request could not be completed; the gateway log has the details"
              + (request == null ? "" : " (request " + request.getRequestId() + ")");
    } else if (ErrorText.namesJavaClass(message)) {
      message = "The request could not be processed" + (code == null ? "" : " (" + code + ")");
    }
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.ERROR)
        .setCode(issueType(status))
        .setDiagnostics(message);
    e.setOperationOutcome(outcome);
    return e;
  }

  private static String hapiCode(String message) {
    Matcher matcher = HAPI_CODE.matcher(String.valueOf(message));
    return matcher.find() ? matcher.group() : null;
  }

  static IssueType issueType(int status) {
    return switch (status) {
      case 400 -> IssueType.INVALID;
      case 401 -> IssueType.LOGIN;
      case 403 -> IssueType.FORBIDDEN;
      case 404 -> IssueType.NOTFOUND;
      case 405, 406, 415 -> IssueType.NOTSUPPORTED;
      case 409, 412 -> IssueType.CONFLICT;
      case 410 -> IssueType.DELETED;
      case 413 -> IssueType.TOOCOSTLY;
      default -> status >= 500 ? IssueType.EXCEPTION : IssueType.PROCESSING;
    };
  }
}
