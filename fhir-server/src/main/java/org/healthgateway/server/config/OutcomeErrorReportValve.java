package org.healthgateway.server.config;

import jakarta.servlet.RequestDispatcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.healthgateway.server.security.OperationOutcomes;

/**
 * Tomcat's error page as a FHIR OperationOutcome (JSON) instead of HTML. It answers the errors
 * Tomcat raises before any servlet runs: a request target Tomcat refuses (bad percent-encoding such
 * as {@code %zz}, an encoded {@code /} or {@code \}, {@code %00}, a path leaving the root), a
 * control character in a header, a request line or headers over {@code
 * server.max-http-request-header-size}. Tomcat answers all of these 400; a request line that does
 * not fit is answered 414 and headers that do not fit 431, the statuses RFC 9110 and RFC 6585 name.
 * Errors of the application have a body already and are left alone.
 */
public final class OutcomeErrorReportValve extends ErrorReportValve {
  private static final String TOO_LARGE = "too large";

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(false);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    Throwable cause =
        throwable != null
            ? throwable
            : (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
    int answered = status;
    String code = status >= 500 ? "exception" : "invalid";
    String message = "The request is malformed and was not processed";
    if (status == 400 && tooLarge(cause)) {
      // Tomcat sets the request target once the space after it is read; it does set a protocol
      // for a request line that did not fit, so that it can answer at all.
      boolean requestLineRead = !request.getCoyoteRequest().requestURI().isNull();
      answered = requestLineRead ? 431 : 414;
      code = "too-costly";
      message =
          requestLineRead
              ? "Request headers too large"
              : "Request URL too long: send the search parameters with POST [type]/_search";
    } else if (status == 405) {
      code = "not-supported";
      message = "HTTP method not allowed";
    } else if (status >= 500) {
      message = "The server could not process the request";
    }
    try {
      response.setStatus(answered);
      response.setContentType(OperationOutcomes.FHIR_JSON);
      PrintWriter writer = response.getReporter();
      if (writer != null) {
        writer.write(new String(OperationOutcomes.body(code, message), StandardCharsets.UTF_8));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone or the response was committed meanwhile: nothing left to tell it.
    }
  }

  private static boolean tooLarge(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException
          && t.getMessage() != null
          && t.getMessage().contains(TOO_LARGE)) {
        return true;
      }
    }
    return false;
  }
}
