package org.healthgateway.server.config;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.ResourceParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers 400 instead of 500 when loading a request body fails with an exception HAPI does not
 * expect: its {@link ResourceParameter} turns only {@code DataFormatException} into 400, while HAPI
 * 8.8's XML parser throws NullPointerException for some malformed bodies (e.g. a root element that
 * is no resource, such as {@code <extension>}), and an unknown {@code charset} in Content-Type
 * throws IllegalArgumentException. Both come from the client's input. Recognized by a frame of
 * {@link ResourceParameter}, which loads and parses request bodies (also for the validator), on the
 * stack of the exception or of one of its causes; nothing else changes.
 */
public final class UnparsableBodyInterceptor {

  /** The message of the 400: stable, so that users can search for it. */
  public static final String MESSAGE = "The request body is not a valid FHIR resource";

  private static final Logger LOG = LoggerFactory.getLogger(UnparsableBodyInterceptor.class);
  private static final String BODY_LOADER = ResourceParameter.class.getName();

  /** HAPI's hook: a replacement for the exception, or null to leave it alone. */
  @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
  public BaseServerResponseException preProcessOutgoingException(Throwable exception) {
    return toClientError(exception);
  }

  /** The 400 for an unexpected failure while loading a request body, else null. */
  public static BaseServerResponseException toClientError(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof RuntimeException
          && !(t instanceof BaseServerResponseException)
          && thrownWhileLoadingBody(t)) {
        LOG.info("request body refused: {}", t.toString());
        return new InvalidRequestException(MESSAGE);
      }
    }
    return null;
  }

  private static boolean thrownWhileLoadingBody(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().equals(BODY_LOADER)) {
        return true;
      }
    }
    return false;
  }
}
