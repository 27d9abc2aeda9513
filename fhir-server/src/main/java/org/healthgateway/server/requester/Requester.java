package org.healthgateway.server.requester;

import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The authenticated user of the current request, as the token's {@code fhirUser} claim names it.
 */
public final class Requester {
  /** Claim naming the FHIR resource of the user (SMART on FHIR). */
  public static final String FHIR_USER_CLAIM = "fhirUser";

  private Requester() {}

  /**
   * Returns the reference ({@code Practitioner/a}, {@code Patient/p}, {@code Device/x}) of the
   * current user; never taken from a header or parameter.
   *
   * @throws AuthenticationException (401) if the token names no FHIR user
   */
  public static String current() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof JwtAuthenticationToken jwt) {
      String fhirUser = jwt.getToken().getClaimAsString(FHIR_USER_CLAIM);
      if (fhirUser != null && fhirUser.matches("[A-Za-z]+/[A-Za-z0-9\\-.]{1,64}")) {
        return fhirUser;
      }
    }
    throw new AuthenticationException("The access token names no fhirUser");
  }
}
