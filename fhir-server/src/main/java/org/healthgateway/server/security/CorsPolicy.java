package org.healthgateway.server.security;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.CorsFilter;

/**
 * Cross-origin access for browser apps (SMART apps such as fhirclient.js): the FHIR API, SMART and
 * OpenID discovery, the token, revocation and JWKS endpoints and userinfo answer the allowed
 * origins, with {@code Authorization} and {@code Content-Type} allowed and {@code Location}, {@code
 * ETag} and {@code Content-Location} exposed. Apps send bearer tokens, never cookies, so no
 * credentials are allowed. A request from another origin is 403 with an OperationOutcome and no
 * CORS headers, so the browser hides the answer from the calling page.
 *
 * <p>Paths are matched on the full path. Spring's {@code UrlBasedCorsConfigurationSource} matches
 * relative to the servlet path, which for HAPI's {@code /fhir/*} servlet is {@code /Patient}: a
 * pattern {@code /fhir/**} never matched and every preflight of a FHIR call was refused.
 */
public final class CorsPolicy {
  private static final PathPatternRequestMatcher.Builder PATH_PATTERN =
      PathPatternRequestMatcher.withDefaults();
  private static final RequestMatcher PATHS =
      new OrRequestMatcher(
          PATH_PATTERN.matcher("/fhir"),
          PATH_PATTERN.matcher("/fhir/**"),
          PATH_PATTERN.matcher("/.well-known/**"),
          PATH_PATTERN.matcher("/oauth2/token"),
          PATH_PATTERN.matcher("/oauth2/revoke"),
          PATH_PATTERN.matcher("/oauth2/jwks"),
          PATH_PATTERN.matcher("/userinfo"));

  private final CorsConfigurationSource source;

  /** CORS for the given origins ({@code *}: any origin; none: no cross-origin access). */
  CorsPolicy(Collection<String> allowedOrigins) {
    this.source = source(List.copyOf(allowedOrigins));
  }

  /** A new CORS filter for a security filter chain ({@code HttpSecurity.addFilter}). */
  CorsFilter filter() {
    CorsFilter filter = new CorsFilter(source);
    filter.setCorsProcessor(new OutcomeCorsProcessor());
    return filter;
  }

  private static CorsConfigurationSource source(List<String> allowedOrigins) {
    CorsConfiguration cors = new CorsConfiguration();
    allowedOrigins.forEach(cors::addAllowedOrigin);
    cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"));
    cors.setAllowedHeaders(
        List.of(
            "Authorization",
            "Content-Type",
            "Accept",
            "If-Match",
            "If-None-Match",
            "If-None-Exist",
            "If-Modified-Since",
            "Prefer"));
    cors.setExposedHeaders(
        List.of("Location", "ETag", "Content-Location", "Last-Modified", "WWW-Authenticate"));
    cors.setAllowCredentials(false);
    cors.setMaxAge(3600L);
    return request -> PATHS.matches(request) ? cors : null;
  }

  /** Spring's CORS rules, with refusals written as OperationOutcomes. */
  private static final class OutcomeCorsProcessor extends DefaultCorsProcessor {
    @Override
    protected void rejectRequest(ServerHttpResponse response) throws IOException {
      response.setStatusCode(HttpStatus.FORBIDDEN);
      response.getHeaders().setContentType(MediaType.parseMediaType(OperationOutcomes.FHIR_JSON));
      response
          .getBody()
          .write(
              OperationOutcomes.body(
                  "forbidden", "Cross-origin request refused: this origin is not allowed"));
      response.flush();
    }
  }
}
