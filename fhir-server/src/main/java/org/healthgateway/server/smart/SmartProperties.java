package org.healthgateway.server.smart;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code gateway.smart.*}.
 *
 * @param issuer issuer of the embedded authorization server ({@code iss} of its tokens); default
 *     {@code http://localhost:${server.port}}
 * @param fhirBaseUrl the FHIR base URL: the audience every access token must carry and the {@code
 *     aud} apps send; default {@code http://localhost:${server.port}/fhir}
 * @param demoRedirectUris redirect URIs of the demo apps
 * @param external an external OpenID Connect provider; when its issuer is set the embedded
 *     authorization server is off
 */
@ConfigurationProperties(prefix = "gateway.smart")
public record SmartProperties(
    String issuer, String fhirBaseUrl, List<String> demoRedirectUris, External external) {

  /** Condition for beans of the embedded authorization server. */
  public static final String EMBEDDED = "'${gateway.smart.external.issuer:}' == ''";

  public SmartProperties {
    issuer = trimSlash(issuer == null ? "http://localhost:8080" : issuer);
    fhirBaseUrl = trimSlash(fhirBaseUrl == null ? issuer + "/fhir" : fhirBaseUrl);
    demoRedirectUris =
        demoRedirectUris == null || demoRedirectUris.isEmpty()
            ? List.of("http://127.0.0.1:9000/callback")
            : List.copyOf(demoRedirectUris);
    external = external == null ? new External(null, null, null, null, null) : external;
  }

  /**
   * An external OpenID Connect provider that issues the access tokens instead of the embedded one.
   *
   * @param issuer its issuer URL; tokens must carry it as {@code iss}
   * @param jwksUri its JWKS; default: discovered from the issuer's OpenID configuration
   * @param authorizationEndpoint advertised in the SMART configuration
   * @param tokenEndpoint advertised in the SMART configuration
   * @param capabilities SMART capabilities the provider supports, advertised as they are
   */
  public record External(
      String issuer,
      String jwksUri,
      String authorizationEndpoint,
      String tokenEndpoint,
      List<String> capabilities) {
    public External {
      capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }
  }

  /** True when the embedded authorization server issues the tokens. */
  public boolean embedded() {
    return external.issuer() == null || external.issuer().isBlank();
  }

  /** The issuer whose tokens the FHIR endpoint accepts. */
  public String tokenIssuer() {
    return embedded() ? issuer : trimSlash(external.issuer());
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
