package org.healthgateway.server.demo;

import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.properties.GatewayProperties;
import org.healthgateway.server.security.DemoClients;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * On first start in demo mode: the demo organization, two practitioners and two patients, written
 * through the normal write path by the demo integration engine, before the server takes requests.
 */
@Component
public class DemoBootstrap implements SmartInitializingSingleton {
  private static final Logger LOG = LoggerFactory.getLogger(DemoBootstrap.class);
  private static final String AUTHOR = "Device/demo-ehr";

  private final ResourceService service;
  private final GatewayProperties properties;

  public DemoBootstrap(ResourceService service, GatewayProperties properties) {
    this.service = service;
    this.properties = properties;
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (!properties.demo() || service.isLive("Organization", "demo-org")) {
      return;
    }
    Organization org = new Organization().setName("Demo Health Organization");
    org.addIdentifier().setSystem("urn:healthgateway:demo").setValue("demo-org");
    put("Organization", "demo-org", org);
    put("Practitioner", "demo-practitioner-a", practitioner("Ada", "Demo-Practitioner-A"));
    put("Practitioner", "demo-practitioner-b", practitioner("Ben", "Demo-Practitioner-B"));
    put("Practitioner", "demo-registrar", practitioner("Rita", "Demo-Registrar"));
    put("Practitioner", "demo-auditor", practitioner("Audra", "Demo-Auditor"));
    // What a patient is told about who asks: role and organization (PractitionerRole).
    put("PractitionerRole", "demo-practitioner-a-doctor", role("demo-practitioner-a", org));
    put("PractitionerRole", "demo-practitioner-b-doctor", role("demo-practitioner-b", org));
    put("Patient", "demo-patient-p", patient("Pat", "Demo-Patient-P"));
    put("Patient", "demo-patient-q", patient("Quinn", "Demo-Patient-Q"));
    LOG.info(
        "Demo organization created; client credentials for {} users are in {}",
        DemoClients.DEMO_USERS.size(),
        properties.secretsDir().resolve("demo-clients.json"));
  }

  private void put(String type, String id, IBaseResource resource) {
    resource.setId(type + "/" + id);
    service.update(new IdType(type, id), resource, AUTHOR);
  }

  private static Practitioner practitioner(String given, String family) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(family).addGiven(given);
    p.addIdentifier().setSystem("urn:healthgateway:demo").setValue(family.toLowerCase(Locale.ROOT));
    return p;
  }

  private static PractitionerRole role(String practitionerId, Organization org) {
    PractitionerRole role = new PractitionerRole();
    role.setActive(true);
    role.setPractitioner(new Reference("Practitioner/" + practitionerId));
    role.setOrganization(new Reference("Organization/demo-org").setDisplay(org.getName()));
    role.addCode(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/practitioner-role", "doctor", "Doctor")));
    return role;
  }

  private static Patient patient(String given, String family) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.setGender(AdministrativeGender.UNKNOWN);
    p.setBirthDate(Date.from(Instant.EPOCH));
    p.getManagingOrganization().setReference("Organization/demo-org");
    return p;
  }
}
