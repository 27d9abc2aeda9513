package org.healthgateway.server.security;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.smart.FhirUsers;
import org.healthgateway.server.smart.LaunchContexts;
import org.healthgateway.server.smart.LaunchContexts.LaunchContext;
import org.healthgateway.server.smart.SmartScope;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;

/**
 * SMART rules the embedded authorization server adds to Spring Authorization Server's: requested
 * scopes may be narrower than the registered ones ({@code patient/Observation.rs?category=...}
 * under a registered {@code patient/*.cruds}); {@code aud} must be the FHIR base URL; the launch
 * context is fixed at consent, from the EHR's {@code launch} id, the patient user's own record or
 * the patient picked on the consent screen.
 */
final class SmartRequestRules {
  private static final Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> DEFAULTS =
      new OAuth2AuthorizationCodeRequestAuthenticationValidator();

  private final String fhirBaseUrl;
  private final FhirUsers users;
  private final LaunchContexts launches;
  private final ResourceService service;

  SmartRequestRules(
      String fhirBaseUrl, FhirUsers users, LaunchContexts launches, ResourceService service) {
    this.fhirBaseUrl = fhirBaseUrl;
    this.users = users;
    this.launches = launches;
    this.service = service;
  }

  /**
   * Spring's checks (grant type, redirect URI, PKCE with S256 only, prompt) with SMART's scope
   * coverage instead of exact scope matching, and the {@code aud} check.
   */
  void validateAuthorizationRequest(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
    OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
    OAuth2AuthorizationCodeRequestAuthenticationToken withoutScopes =
        new OAuth2AuthorizationCodeRequestAuthenticationToken(
            request.getAuthorizationUri(),
            request.getClientId(),
            (Authentication) request.getPrincipal(),
            request.getRedirectUri(),
            request.getState(),
            Set.of(),
            request.getAdditionalParameters());
    DEFAULTS.accept(
        OAuth2AuthorizationCodeRequestAuthenticationContext.with(withoutScopes)
            .registeredClient(context.getRegisteredClient())
            .build());
    for (String scope : request.getScopes()) {
      if (!SmartScope.isCovered(context.getRegisteredClient().getScopes(), scope)) {
        throw new OAuth2AuthorizationCodeRequestAuthenticationException(
            new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE, "Scope not allowed: " + scope, null),
            request);
      }
    }
    Object aud = request.getAdditionalParameters().get("aud");
    if (aud == null || !fhirBaseUrl.equals(trimSlash(aud.toString()))) {
      throw new OAuth2AuthorizationCodeRequestAuthenticationException(
          new OAuth2Error(
              OAuth2ErrorCodes.INVALID_REQUEST,
              "aud must be the FHIR base URL " + fhirBaseUrl,
              null),
          request);
    }
  }

  /** Requested client-credentials scopes must be covered by the registered ones. */
  void validateClientCredentials(OAuth2ClientCredentialsAuthenticationContext context) {
    OAuth2ClientCredentialsAuthenticationToken request = context.getAuthentication();
    for (String scope : request.getScopes()) {
      if (!SmartScope.isCovered(context.getRegisteredClient().getScopes(), scope)) {
        throw new OAuth2AuthenticationException(
            new OAuth2Error(OAuth2ErrorCodes.INVALID_SCOPE, "Scope not allowed: " + scope, null));
      }
    }
  }

  /** Fixes the launch context of the authorization when the user consents. */
  void bindLaunchContext(OAuth2AuthorizationConsentAuthenticationContext context) {
    OAuth2AuthorizationConsentAuthenticationToken consent = context.getAuthentication();
    Set<String> granted = consent.getScopes();
    OAuth2AuthorizationRequest request = context.getAuthorizationRequest();
    Map<String, Object> requestParams = request.getAdditionalParameters();
    String fhirUser = users.fhirUserOf(((Authentication) consent.getPrincipal()).getName());
    LaunchContext launch = null;
    if (requestParams.get("launch") != null && granted.contains("launch")) {
      launch =
          launches
              .take(requestParams.get("launch").toString())
              .orElseThrow(() -> invalidRequest("The launch is unknown, used or expired"));
    } else if (granted.contains("launch/patient")) {
      if (fhirUser != null && fhirUser.startsWith("Patient/")) {
        launch = new LaunchContext(fhirUser.substring("Patient/".length()), null);
      } else {
        Object picked = consent.getAdditionalParameters().get("patient");
        if (picked == null || !service.isLive("Patient", picked.toString())) {
          throw invalidRequest("launch/patient needs a patient to be picked");
        }
        launch = new LaunchContext(picked.toString(), null);
      }
    }
    if (launch != null) {
      launches.bind(context.getAuthorization().getId(), launch);
    }
  }

  private static OAuth2AuthenticationException invalidRequest(String message) {
    return new OAuth2AuthenticationException(
        new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, message, null));
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
