package org.healthgateway.server.security;

import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.smart.FhirUsers;
import org.healthgateway.server.smart.LaunchContexts;
import org.healthgateway.server.smart.LaunchContexts.LaunchContext;
import org.healthgateway.server.smart.TokenScopes;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AccessTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Makes the embedded authorization server's tokens SMART tokens. Access tokens: audience = the FHIR
 * base URL, {@code fhirUser} (the signed-in user, or the client's registered user for client
 * credentials), {@code client_id}, the launch context ({@code patient}, {@code encounter}) and, for
 * a client-credentials request without {@code scope}, every registered scope. ID tokens: {@code
 * fhirUser} when the {@code fhirUser} scope was granted. Token responses: {@code patient} and
 * {@code encounter} next to the access token.
 */
final class SmartTokenCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {
  private final String fhirBaseUrl;
  private final FhirUsers users;
  private final LaunchContexts launches;

  SmartTokenCustomizer(String fhirBaseUrl, FhirUsers users, LaunchContexts launches) {
    this.fhirBaseUrl = fhirBaseUrl;
    this.users = users;
    this.launches = launches;
  }

  @Override
  public void customize(JwtEncodingContext context) {
    String fhirUser = fhirUser(context);
    if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
      context.getClaims().audience(List.of(fhirBaseUrl));
      context.getClaims().claim("client_id", context.getRegisteredClient().getClientId());
      if (fhirUser != null) {
        context.getClaims().claim(Requester.FHIR_USER_CLAIM, fhirUser);
      }
      if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())
          && context.getAuthorizedScopes().isEmpty()) {
        // SMART and RFC 6749 §3.3: no scope requested means the registered default.
        context
            .getClaims()
            .claim("scope", new LinkedHashSet<>(context.getRegisteredClient().getScopes()));
      }
      launchContext(context)
          .ifPresent(
              launch -> {
                context.getClaims().claim(TokenScopes.PATIENT_CLAIM, launch.patient());
                if (launch.encounter() != null) {
                  context.getClaims().claim(TokenScopes.ENCOUNTER_CLAIM, launch.encounter());
                }
              });
    } else if ("id_token".equals(context.getTokenType().getValue())
        && fhirUser != null
        && context.getAuthorizedScopes().contains("fhirUser")) {
      context.getClaims().claim(Requester.FHIR_USER_CLAIM, fhirUser);
    }
  }

  private String fhirUser(JwtEncodingContext context) {
    if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
      return context
          .getRegisteredClient()
          .getClientSettings()
          .getSetting(Requester.FHIR_USER_CLAIM);
    }
    return context.getPrincipal() == null
        ? null
        : users.fhirUserOf(context.getPrincipal().getName());
  }

  private Optional<LaunchContext> launchContext(JwtEncodingContext context) {
    return context.getAuthorization() == null
        ? Optional.empty()
        : launches.bound(context.getAuthorization().getId());
  }

  /** Copies the launch context (and default scopes) from the access token into the response. */
  static Consumer<OAuth2AccessTokenAuthenticationContext> tokenResponse() {
    return context -> {
      OAuth2AccessTokenAuthenticationToken token = context.getAuthentication();
      Map<String, Object> claims;
      try {
        claims =
            SignedJWT.parse(token.getAccessToken().getTokenValue()).getJWTClaimsSet().getClaims();
      } catch (ParseException e) {
        return;
      }
      OAuth2AccessTokenResponse.Builder response = context.getAccessTokenResponse();
      Map<String, Object> extra = new LinkedHashMap<>(token.getAdditionalParameters());
      for (String claim : List.of(TokenScopes.PATIENT_CLAIM, TokenScopes.ENCOUNTER_CLAIM)) {
        if (claims.get(claim) != null) {
          extra.put(claim, claims.get(claim));
        }
      }
      response.additionalParameters(extra);
      if (token.getAccessToken().getScopes().isEmpty()) {
        response.scopes(new LinkedHashSet<>(TokenScopes.scopeValues(claims)));
      }
    };
  }
}
