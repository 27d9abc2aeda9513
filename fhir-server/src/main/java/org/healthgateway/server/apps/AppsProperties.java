package org.healthgateway.server.apps;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code gateway.apps.*}: the SMART clients the web apps at {@code /apps/patient/}
 * and {@code /apps/practitioner/} sign in as (public clients, PKCE).
 *
 * @param patientClientId client id of the patient app; default {@code demo-patient-app}
 * @param practitionerClientId client id of the practitioner app; default {@code
 *     demo-practitioner-web}
 */
@ConfigurationProperties(prefix = "gateway.apps")
public record AppsProperties(String patientClientId, String practitionerClientId) {
  public AppsProperties {
    patientClientId = blankToDefault(patientClientId, "demo-patient-app");
    practitionerClientId = blankToDefault(practitionerClientId, "demo-practitioner-web");
  }

  private static String blankToDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
