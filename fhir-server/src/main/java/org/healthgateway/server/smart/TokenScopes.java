package org.healthgateway.server.smart;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.smart.SmartScope.Level;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The SMART view of an access token: its resource scopes, its launch context and its user. Reads
 * {@code scope} (space-separated string or array) or {@code scp}, {@code patient} and {@code
 * fhirUser}.
 */
public final class TokenScopes {
  /** Token claim with the launch context's patient id (SMART's {@code patient}). */
  public static final String PATIENT_CLAIM = "patient";

  /** The scope {@code $register-keys} needs: registering keys changes who can read what. */
  public static final String REGISTER_KEYS = "register-keys";

  /** Token claim with the launch context's encounter id. */
  public static final String ENCOUNTER_CLAIM = "encounter";

  private static final int MAX_SCOPES = 256;

  private final List<SmartScope> scopes;
  private final java.util.Set<String> values;
  private final String patient;
  private final String fhirUser;

  private TokenScopes(
      List<SmartScope> scopes, java.util.Set<String> values, String patient, String fhirUser) {
    this.scopes = List.copyOf(scopes);
    this.values = values;
    this.patient = patient;
    this.fhirUser = fhirUser;
  }

  /** Builds the view from scope strings and the token's context claims. */
  public static TokenScopes of(Collection<String> scopeValues, String patient, String fhirUser) {
    List<SmartScope> parsed = new ArrayList<>();
    java.util.Set<String> values = new java.util.HashSet<>();
    scopeValues.stream()
        .limit(MAX_SCOPES)
        .forEach(
            scope -> {
              values.add(scope);
              SmartScope.parse(scope).ifPresent(parsed::add);
            });
    return new TokenScopes(parsed, java.util.Set.copyOf(values), patient, fhirUser);
  }

  /** The view of a validated JWT access token. */
  public static TokenScopes of(Jwt jwt) {
    return of(scopeValues(jwt.getClaims()), jwt.getClaimAsString(PATIENT_CLAIM), fhirUser(jwt));
  }

  /** The view of the current request's bearer token, if it has one. */
  public static Optional<TokenScopes> current() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth instanceof JwtAuthenticationToken jwt) {
      return Optional.of(of(jwt.getToken()));
    }
    return Optional.empty();
  }

  private static String fhirUser(Jwt jwt) {
    return jwt.getClaimAsString(Requester.FHIR_USER_CLAIM);
  }

  /** The scope strings of a claim set: {@code scope} as string or array, else {@code scp}. */
  public static List<String> scopeValues(Map<String, Object> claims) {
    Object scope = claims.containsKey("scope") ? claims.get("scope") : claims.get("scp");
    List<String> values = new ArrayList<>();
    if (scope instanceof String text) {
      for (String s : text.trim().split("\\s+", -1)) {
        if (!s.isEmpty()) {
          values.add(s);
        }
      }
    } else if (scope instanceof Collection<?> list) {
      list.forEach(s -> values.add(String.valueOf(s)));
    }
    return values;
  }

  /** True if the token holds this scope literally (e.g. {@code register-keys}). */
  public boolean hasScope(String scope) {
    return values.contains(scope);
  }

  /** True if the token holds at least one SMART resource scope. */
  public boolean hasResourceScope() {
    return !scopes.isEmpty();
  }

  /**
   * Decides whether {@code interaction} ({@code c}, {@code r}, {@code u}, {@code d} or {@code s})
   * on {@code type} is allowed. The broadest level wins (system, then user, then patient); within
   * it, an unfiltered scope wins over v2 query filters. A patient-level grant confines the request
   * to the token's {@code patient}, or to the user's own record when the user is a Patient.
   */
  public ScopeAccess access(String type, char interaction) {
    for (Level level : List.of(Level.SYSTEM, Level.USER, Level.PATIENT)) {
      List<SmartScope> granting =
          scopes.stream().filter(s -> s.level() == level && s.grants(type, interaction)).toList();
      if (granting.isEmpty()) {
        continue;
      }
      List<Map<String, List<String>>> filters =
          granting.stream().anyMatch(s -> s.query().isEmpty())
              ? List.of()
              : granting.stream().map(SmartScope::query).distinct().toList();
      if (level != Level.PATIENT) {
        return new ScopeAccess(true, null, filters, null);
      }
      Optional<String> patientId = patientContext();
      if (patientId.isEmpty()) {
        return ScopeAccess.denied(
            "A patient-level scope needs a patient in the launch context, and the token has none");
      }
      return new ScopeAccess(true, patientId.get(), filters, null);
    }
    return ScopeAccess.denied(
        "Insufficient scope: the access token does not allow '" + interaction + "' on " + type);
  }

  /** The patient of the launch context, or the user's own id when the user is a Patient. */
  public Optional<String> patientContext() {
    if (patient != null && !patient.isBlank()) {
      return Optional.of(patient);
    }
    if (fhirUser != null && fhirUser.startsWith("Patient/")) {
      return Optional.of(fhirUser.substring("Patient/".length()));
    }
    return Optional.empty();
  }
}
