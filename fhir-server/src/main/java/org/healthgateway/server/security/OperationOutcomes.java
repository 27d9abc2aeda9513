package org.healthgateway.server.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a FHIR OperationOutcome for errors raised before HAPI sees the request (authentication,
 * body size), so every HTTP error of {@code /fhir} has a FHIR body.
 */
public final class OperationOutcomes {
  private OperationOutcomes() {}

  public static void write(HttpServletResponse response, int status, String code, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/fhir+json;charset=UTF-8");
    String body =
        "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\""
            + code
            + "\",\"diagnostics\":\""
            + message.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}]}";
    response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
