package org.healthgateway.server.security;

import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;
import java.text.ParseException;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Accepts a {@code private_key_jwt} client assertion without {@code client_id} (RFC 7523 §3.1 makes
 * it optional and SMART Backend Services clients do not send it; Spring Authorization Server
 * requires it). The client is named by the assertion's {@code sub}; the assertion is then verified
 * as usual, including {@code iss} = {@code sub} = client id, by the client's own key.
 */
final class ClientAssertionConverter implements AuthenticationConverter {
  private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @Override
  public Authentication convert(HttpServletRequest request) {
    String type = request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION_TYPE);
    String assertion = request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION);
    if (assertion == null
        || !JWT_BEARER.equals(type)
        || request.getParameter(OAuth2ParameterNames.CLIENT_ID) != null) {
      return null;
    }
    if (request.getParameterValues(OAuth2ParameterNames.CLIENT_ASSERTION).length != 1) {
      throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_REQUEST);
    }
    String clientId;
    try {
      clientId = SignedJWT.parse(assertion).getJWTClaimsSet().getSubject();
    } catch (ParseException e) {
      throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
    }
    if (clientId == null || clientId.isBlank()) {
      throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
    }
    return new OAuth2ClientAuthenticationToken(
        clientId, new ClientAuthenticationMethod(JWT_BEARER), assertion, Map.of());
  }
}
