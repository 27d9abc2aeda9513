package org.healthgateway.server.smart;

/** Maps a signed-in user name to the FHIR resource of the user ({@code Practitioner/a}). */
@FunctionalInterface
public interface FhirUsers {
  /** The user's FHIR reference, or null for an unknown user. */
  String fhirUserOf(String username);
}
