package org.healthgateway.server.subscription;

import java.time.Instant;
import java.util.Optional;
import org.healthgateway.server.requester.Requester;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/** Checks a bearer token presented on the websocket and names its user. */
@FunctionalInterface
interface TokenVerifier {

  /** The user a valid token names, or empty for an invalid, expired or user-less token. */
  Optional<TokenUser> verify(String token);

  /**
   * The user a token names.
   *
   * @param fhirUser the token's {@code fhirUser} claim
   * @param expiresAt when the token stops being valid, or null
   */
  record TokenUser(String fhirUser, Instant expiresAt) {
    boolean expiredAt(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  /** A verifier with the same decoder (signature, expiry) that guards {@code /fhir}. */
  static TokenVerifier of(JwtDecoder decoder) {
    return token -> {
      if (token == null || token.isBlank() || token.length() > 16_384) {
        return Optional.empty();
      }
      try {
        Jwt jwt = decoder.decode(token);
        String fhirUser = jwt.getClaimAsString(Requester.FHIR_USER_CLAIM);
        if (fhirUser == null || !fhirUser.matches("[A-Za-z]+/[A-Za-z0-9\\-.]{1,64}")) {
          return Optional.empty();
        }
        return Optional.of(new TokenUser(fhirUser, jwt.getExpiresAt()));
      } catch (JwtException e) {
        return Optional.empty();
      }
    };
  }
}
