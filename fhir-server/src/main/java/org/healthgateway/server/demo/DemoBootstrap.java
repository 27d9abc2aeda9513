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
  private final ResourceService service;
  private final GatewayProperties properties;
  private final String nodeId;
  private final String author;

  public DemoBootstrap(ResourceService service, GatewayProperties properties) {
    this.service = service;
    this.properties = properties;
    this.nodeId = properties.node().id();
    this.author = "Device/" + id("ehr");
  }

  /** A demo id on this node: {@code demo-<name>}, or {@code <node-id>-<name>} on a named node. */
  private String id(String name) {
    return DemoClients.demoId(nodeId, name);
  }

  @Override
  public void afterSingletonsInstantiated() {
    String orgId = id("org");
    if (!properties.demo() || service.isLive("Organization", orgId)) {
      return;
    }
    Organization org =
        new Organization()
            .setName(
                nodeId.equals("node")
                    ? "Demo Health Organization"
                    : "Demo Health Organization " + nodeId);
    org.addIdentifier().setSystem("urn:healthgateway:demo").setValue(orgId);
    put("Organization", orgId, org);
    put("Practitioner", id("practitioner-a"), practitioner("Ada", "Demo-Practitioner-A"));
    put("Practitioner", id("practitioner-b"), practitioner("Ben", "Demo-Practitioner-B"));
    put("Practitioner", id("registrar"), practitioner("Rita", "Demo-Registrar"));
    put("Practitioner", id("auditor"), practitioner("Audra", "Demo-Auditor"));
    // What a patient is told about who asks: role and organization (PractitionerRole).
    put("PractitionerRole", id("practitioner-a-doctor"), role(id("practitioner-a"), orgId, org));
    put("PractitionerRole", id("practitioner-b-doctor"), role(id("practitioner-b"), orgId, org));
    put("Patient", id("patient-p"), patient("Pat", "Demo-Patient-P", orgId));
    put("Patient", id("patient-q"), patient("Quinn", "Demo-Patient-Q", orgId));
    LOG.info(
        "Demo organization created; client credentials for {} users are in {}",
        DemoClients.DEMO_USERS.size(),
        properties.secretsDir().resolve("demo-clients.json"));
  }

  private void put(String type, String id, IBaseResource resource) {
    resource.setId(type + "/" + id);
    service.update(new IdType(type, id), resource, author);
  }

  private static Practitioner practitioner(String given, String family) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(family).addGiven(given);
    p.addIdentifier().setSystem("urn:healthgateway:demo").setValue(family.toLowerCase(Locale.ROOT));
    return p;
  }

  private static PractitionerRole role(String practitionerId, String orgId, Organization org) {
    PractitionerRole role = new PractitionerRole();
    role.setActive(true);
    role.setPractitioner(new Reference("Practitioner/" + practitionerId));
    role.setOrganization(new Reference("Organization/" + orgId).setDisplay(org.getName()));
    role.addCode(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/practitioner-role", "doctor", "Doctor")));
    return role;
  }

  private static Patient patient(String given, String family, String orgId) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven(given);
    p.setGender(AdministrativeGender.UNKNOWN);
    p.setBirthDate(Date.from(Instant.EPOCH));
    p.getManagingOrganization().setReference("Organization/" + orgId);
    return p;
  }
}
