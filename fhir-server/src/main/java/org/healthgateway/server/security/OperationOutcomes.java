package org.healthgateway.server.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a FHIR OperationOutcome for errors raised before HAPI sees the request (authentication,
 * body size), so every HTTP error of {@code /fhir} has a FHIR body.
 */
public final class OperationOutcomes {
  /** The media type of every error body. */
  public static final String FHIR_JSON = "application/fhir+json;charset=UTF-8";

  private OperationOutcomes() {}

  public static void write(HttpServletResponse response, int status, String code, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType(FHIR_JSON);
    response.getOutputStream().write(body(code, message));
  }

  /** The JSON of an OperationOutcome with one error issue of the given FHIR issue type. */
  public static byte[] body(String code, String message) {
    String body =
        "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\""
            + code
            + "\",\"diagnostics\":\""
            + escape(message)
            + "\"}]}";
    return body.getBytes(StandardCharsets.UTF_8);
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
