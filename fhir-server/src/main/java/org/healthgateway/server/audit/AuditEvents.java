package org.healthgateway.server.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentNetworkType;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * Builds the AuditEvent of a group of accesses, in the shape of the IHE Basic Audit Log Patterns
 * (BALP 1.1): type {@code rest}, the FHIR interaction as subtype, the user (requestor), the client
 * and server agents of the HTTP request, the observer, an entity per version, the Consents that
 * granted the access, the query of a search, and the patient. An event claims a BALP profile in
 * {@code meta.profile} only when it holds every element that profile requires (see {@link
 * #profile}).
 */
final class AuditEvents {
  static final String BALP =
      "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.";
  static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
  static final String REST = "http://hl7.org/fhir/restful-interaction";
  static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
  static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
  static final String RESOURCE_TYPES = "http://hl7.org/fhir/resource-types";
  static final String PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
  static final String ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
  static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";

  private AuditEvents() {}

  static AuditEvent of(Group group, String observer) {
    Access access = group.first();
    AuditEvent event = new AuditEvent();
    event.setId("AuditEvent/" + UUID.randomUUID());
    event.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
    event.addSubtype(new Coding(REST, restCode(access.action()), access.action()));
    event.setAction(action(access.action()));
    event.setPeriod(new Period().setStart(Date.from(access.at())).setEnd(Date.from(group.last())));
    event.setRecorded(Date.from(Instant.now()));
    event.setOutcome(access.refusal() == null ? AuditEventOutcome._0 : AuditEventOutcome._4);
    if (access.refusal() != null) {
      event.setOutcomeDesc(access.refusal());
    }
    List<Coding> purposes = group.purposes();
    purposes.forEach(p -> event.addPurposeOfEvent(new CodeableConcept(p.copy())));
    addAgents(event, access, purposes);
    event.getSource().setObserver(new Reference(observer)).addType(sourceType());
    addEntities(event, group);
    profile(access, group.versions().size())
        .ifPresent(profile -> event.getMeta().addProfile(BALP + profile));
    return event;
  }

  /** The user first (who acted), then on whose behalf, the recipient, the client and server. */
  private static void addAgents(AuditEvent event, Access access, List<Coding> purposes) {
    AuditEventAgentComponent user =
        event.addAgent().setWho(new Reference(access.requester())).setRequestor(true);
    userType(access.action()).ifPresent(type -> user.setType(new CodeableConcept(type)));
    purposes.forEach(p -> user.addPurposeOfUse(new CodeableConcept(p.copy())));
    if (access.onBehalfOf() != null) {
      event
          .addAgent()
          .setWho(new Reference(access.onBehalfOf()))
          .setRequestor(false)
          .setType(new CodeableConcept(new Coding(ROLE_CLASS, "PAT", "patient")));
    }
    if (access.recipient() != null) {
      event
          .addAgent()
          .setWho(new Reference(access.recipient()))
          .setRequestor(false)
          .setType(new CodeableConcept(new Coding(PARTICIPATION, "IRCP", "information recipient")));
    }
    RequestFacts request = access.request();
    if (request != null && request.clientId() != null) {
      // BALP: for a read the client is the destination of the data; for every other
      // interaction (a query, a write) the request flows from the client, its source.
      boolean read = action(access.action()) == AuditEventAction.R;
      Coding source = new Coding(DCM, "110153", "Source Role ID");
      Coding destination = new Coding(DCM, "110152", "Destination Role ID");
      event
          .addAgent()
          .setType(new CodeableConcept(read ? destination : source))
          .setWho(identified(request.clientId()))
          .setRequestor(false)
          .getNetwork()
          .setAddress(request.clientAddress())
          .setType(AuditEventAgentNetworkType._2);
      event
          .addAgent()
          .setType(new CodeableConcept(read ? source : destination))
          .setWho(identified(request.serverUrl()))
          .setRequestor(false)
          .getNetwork()
          .setAddress(request.serverUrl())
          .setType(AuditEventAgentNetworkType._5);
    }
  }

  /**
   * Each version, the granting Consents, the query of a search, then the patient. Versions are
   * unversioned references, so that {@code AuditEvent?entity=Type/id} and {@code _revinclude} find
   * the event; the version is a detail of the entity. In a query, versions are typed by resource
   * type: BALP's query slice is the one System Object entity.
   */
  private static void addEntities(AuditEvent event, Group group) {
    Access access = group.first();
    boolean query = isQuery(access.action());
    for (VersionMeta meta : group.versions()) {
      event
          .addEntity()
          .setWhat(new Reference(meta.type() + "/" + meta.id()))
          .setType(
              query
                  ? new Coding(RESOURCE_TYPES, meta.type(), meta.type())
                  : new Coding(ENTITY_TYPE, "2", "System Object"))
          .setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"))
          .addDetail()
          .setType("version")
          .setValue(new StringType(Long.toString(meta.version())));
    }
    java.util.Set<String> consents = new java.util.LinkedHashSet<>(group.grantedBy());
    if (access.consent() != null) {
      consents.add(access.consent());
    }
    for (String consent : consents) {
      event
          .addEntity()
          .setWhat(new Reference(consent))
          .setType(new Coding(RESOURCE_TYPES, "Consent", "Consent"))
          .setRole(new Coding(OBJECT_ROLE, "13", "Security Resource"));
    }
    if (query && access.request() != null && access.request().query() != null) {
      String line = access.request().query();
      event
          .addEntity()
          .setType(new Coding(ENTITY_TYPE, "2", "System Object"))
          .setRole(new Coding(OBJECT_ROLE, "24", "Query"))
          .setDescription(line)
          .setQuery(line.getBytes(StandardCharsets.UTF_8));
    }
    event
        .addEntity()
        .setWhat(new Reference("Patient/" + access.patientId()))
        .setType(new Coding(ENTITY_TYPE, "1", "Person"))
        .setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
  }

  /**
   * The BALP profile the event satisfies, if any: a successful read or vread of one version
   * (PatientRead), a successful search with its query (PatientQuery), a create or update of one
   * version (PatientCreate, PatientUpdate), each with the client and server of the request. Events
   * that group several reads, refusals, history, {@code $everything} and releases claim none.
   */
  static Optional<String> profile(Access access, int versions) {
    RequestFacts request = access.request();
    if (access.refusal() != null
        || access.patientId() == null
        || request == null
        || request.clientId() == null
        || request.clientAddress() == null) {
      return Optional.empty();
    }
    return switch (access.action()) {
      case "read", "vread" -> versions == 1 ? Optional.of("PatientRead") : Optional.empty();
      case "search" -> request.query() != null ? Optional.of("PatientQuery") : Optional.empty();
      case "create" -> versions == 1 ? Optional.of("PatientCreate") : Optional.empty();
      case "update" -> versions == 1 ? Optional.of("PatientUpdate") : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** FHIR R4's AuditEvent.action: searches and operations execute, reads read, writes write. */
  static AuditEventAction action(String action) {
    return switch (action) {
      case "create" -> AuditEventAction.C;
      case "update" -> AuditEventAction.U;
      case "delete" -> AuditEventAction.D;
      case "read", "vread", "history" -> AuditEventAction.R;
      default -> AuditEventAction.E;
    };
  }

  private static boolean isQuery(String action) {
    return action.equals("search") || action.equals("include");
  }

  /** BALP's user agent type: the information recipient of a read, the author of a write. */
  private static Optional<Coding> userType(String action) {
    return switch (action(action)) {
      case C, U, D -> Optional.of(new Coding(PARTICIPATION, "AUT", "author"));
      default ->
          action.equals("release") || action.equals("register-keys")
              ? Optional.empty()
              : Optional.of(new Coding(PARTICIPATION, "IRCP", "information recipient"));
    };
  }

  static String restCode(String action) {
    return switch (action) {
      case "search", "include" -> "search-type";
      case "vread" -> "vread";
      case "history" -> "history-instance";
      case "create" -> "create";
      case "update" -> "update";
      case "delete" -> "delete";
      case "read" -> "read";
      default -> "operation";
    };
  }

  private static Reference identified(String value) {
    return new Reference().setIdentifier(new Identifier().setValue(value)).setDisplay(value);
  }

  private static Coding sourceType() {
    return new Coding(SOURCE_TYPE, "4", "Application Server");
  }
}
