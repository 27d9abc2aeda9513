package org.healthgateway.server.smart;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SMART configuration this server publishes at {@code [base]/.well-known/smart-configuration}
 * (SMART App Launch 2.2, "Conformance") and in the CapabilityStatement: only capabilities that
 * work.
 */
public record SmartEndpoints(
    String issuer,
    String jwksUri,
    String authorizationEndpoint,
    String tokenEndpoint,
    String introspectionEndpoint,
    String revocationEndpoint,
    String userinfoEndpoint,
    List<String> capabilities,
    boolean embedded) {

  /** Capabilities of the embedded authorization server. */
  static final List<String> EMBEDDED_CAPABILITIES =
      List.of(
          "launch-standalone",
          "launch-ehr",
          "authorize-post",
          "client-public",
          "client-confidential-symmetric",
          "client-confidential-asymmetric",
          "context-standalone-patient",
          "context-ehr-patient",
          "context-ehr-encounter",
          "permission-v1",
          "permission-v2",
          "permission-patient",
          "permission-user",
          "permission-offline",
          "sso-openid-connect");

  /** Scope enforcement works with any issuer. */
  static final List<String> RESOURCE_SERVER_CAPABILITIES =
      List.of("permission-v1", "permission-v2", "permission-patient", "permission-user");

  static final List<String> SCOPES_SUPPORTED =
      List.of(
          "openid",
          "fhirUser",
          "profile",
          "launch",
          "launch/patient",
          "offline_access",
          org.healthgateway.server.smart.TokenScopes.REGISTER_KEYS,
          "patient/*.cruds",
          "patient/*.rs",
          "patient/*.read",
          "patient/*.write",
          "user/*.cruds",
          "user/*.rs",
          "user/*.read",
          "user/*.write",
          "system/*.cruds",
          "system/*.rs",
          "system/*.read",
          "system/*.*");

  /** Endpoints of the embedded authorization server at {@code issuer}. */
  public static SmartEndpoints embedded(String issuer) {
    return new SmartEndpoints(
        issuer,
        issuer + "/oauth2/jwks",
        issuer + "/oauth2/authorize",
        issuer + "/oauth2/token",
        issuer + "/oauth2/introspect",
        issuer + "/oauth2/revoke",
        issuer + "/userinfo",
        EMBEDDED_CAPABILITIES,
        true);
  }

  /** What is known of an external provider from configuration. */
  public static SmartEndpoints external(SmartProperties.External external) {
    java.util.LinkedHashSet<String> capabilities =
        new java.util.LinkedHashSet<>(RESOURCE_SERVER_CAPABILITIES);
    capabilities.addAll(external.capabilities());
    return new SmartEndpoints(
        external.issuer(),
        external.jwksUri(),
        external.authorizationEndpoint(),
        external.tokenEndpoint(),
        null,
        null,
        null,
        List.copyOf(capabilities),
        false);
  }

  /** The JSON document, without null fields. */
  public Map<String, Object> configuration() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", jwksUri);
    doc.put("authorization_endpoint", authorizationEndpoint);
    doc.put("token_endpoint", tokenEndpoint);
    doc.put("introspection_endpoint", introspectionEndpoint);
    doc.put("revocation_endpoint", revocationEndpoint);
    doc.put("userinfo_endpoint", userinfoEndpoint);
    if (embedded) {
      doc.put(
          "token_endpoint_auth_methods_supported",
          List.of("client_secret_basic", "client_secret_post", "private_key_jwt", "none"));
      doc.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
      doc.put(
          "grant_types_supported",
          List.of("authorization_code", "client_credentials", "refresh_token"));
      doc.put("scopes_supported", SCOPES_SUPPORTED);
      doc.put("response_types_supported", List.of("code"));
    }
    doc.put("code_challenge_methods_supported", List.of("S256"));
    doc.put("capabilities", capabilities);
    doc.values().removeIf(java.util.Objects::isNull);
    return doc;
  }
}
