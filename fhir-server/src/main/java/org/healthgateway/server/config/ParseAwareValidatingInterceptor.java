package org.healthgateway.server.config;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.interceptor.RequestValidatingInterceptor;
import ca.uhn.fhir.validation.ValidationResult;

/**
 * HAPI's request validation, except that a body that does not parse is the client's error: the
 * validator reports such bodies as 500, they are answered as 400 with the parser's message.
 */
public final class ParseAwareValidatingInterceptor extends RequestValidatingInterceptor {

  @Override
  protected ValidationResult validate(String request, RequestDetails details) {
    try {
      return super.validate(request, details);
    } catch (InternalErrorException e) {
      if (causedByParsing(e)) {
        throw new InvalidRequestException(
            "The request body is not a valid FHIR resource: " + e.getMessage());
      }
      throw e;
    }
  }

  private static boolean causedByParsing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof DataFormatException
          || message.contains("JsonSyntaxException")
          || message.contains("DataFormatException")
          || t.getClass().getName().equals("com.google.gson.JsonSyntaxException")
          || t.getClass().getName().startsWith("com.fasterxml.jackson.core.")) {
        return true;
      }
    }
    return false;
  }
}
