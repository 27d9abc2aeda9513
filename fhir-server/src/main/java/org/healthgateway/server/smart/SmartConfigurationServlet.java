package org.healthgateway.server.smart;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Serves {@code /fhir/.well-known/smart-configuration}. An exact servlet mapping, because HAPI's
 * servlet owns {@code /fhir/*}. Open to everyone; browser apps of the allowed origins get the CORS
 * headers from the security chain ({@code CorsPolicy}).
 */
final class SmartConfigurationServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String PATH = "/fhir/.well-known/smart-configuration";

  private final transient byte[] body;

  SmartConfigurationServlet(SmartEndpoints endpoints) {
    try {
      this.body =
          new ObjectMapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(endpoints.configuration());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the SMART configuration", e);
    }
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "public, max-age=300");
    response.getOutputStream().write(body);
  }
}
