package org.healthgateway.server.smart;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * Fills {@code rest.security} of the CapabilityStatement: service SMART-on-FHIR and the SMART
 * {@code oauth-uris} extension (SMART App Launch 2.2, "Conformance").
 */
@Interceptor
public final class SmartCapabilityInterceptor {
  static final String OAUTH_URIS =
      "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";
  static final String SERVICE_SYSTEM =
      "http://terminology.hl7.org/CodeSystem/restful-security-service";

  private final SmartEndpoints endpoints;

  public SmartCapabilityInterceptor(SmartEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
  public void describeSecurity(IBaseConformance conformance) {
    CapabilityStatement statement = (CapabilityStatement) conformance;
    for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
      CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
      security.setCors(true);
      security.getService().clear();
      security.addService(
          new CodeableConcept(new Coding(SERVICE_SYSTEM, "SMART-on-FHIR", "SMART-on-FHIR"))
              .setText("OAuth2 using the SMART App Launch profile"));
      security.setDescription(
          "SMART App Launch and Backend Services; configuration at"
              + " .well-known/smart-configuration");
      security.getExtension().removeIf(e -> OAUTH_URIS.equals(e.getUrl()));
      Extension uris = security.addExtension().setUrl(OAUTH_URIS);
      add(uris, "token", endpoints.tokenEndpoint());
      add(uris, "authorize", endpoints.authorizationEndpoint());
      add(uris, "introspect", endpoints.introspectionEndpoint());
      add(uris, "revoke", endpoints.revocationEndpoint());
    }
  }

  private static void add(Extension uris, String name, String url) {
    if (url != null) {
      uris.addExtension(name, new UriType(url));
    }
  }
}
