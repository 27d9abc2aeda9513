package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** The access log's events in the shape of IHE BALP, and the Consents that granted each read. */
class BalpEventTest {
  private static final String B = "Practitioner/b";
  private static final String PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

  private final List<AuditEvent> written = new ArrayList<>();
  private final Map<String, String> grants = new java.util.HashMap<>();
  private final ConsentLookup lookup =
      new ConsentLookup() {
        @Override
        public Optional<String> grantingConsent(VersionMeta meta, String requester) {
          return Optional.ofNullable(grants.get(meta.type() + "/" + meta.id()));
        }

        @Override
        public List<Coding> purposes(String patientId, String consent) {
          return consent.equals("Consent/k1")
              ? List.of(new Coding(PURPOSE_SYSTEM, "TREAT", "treatment"))
              : List.of();
        }
      };
  private final AuditService audit =
      new AuditService(
          (events, patients, author) -> events.forEach(w -> written.add((AuditEvent) w.resource())),
          new SimpleMeterRegistry(),
          lookup,
          Duration.ofHours(1));

  @BeforeEach
  void inARequest() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fhir/AllergyIntolerance");
    request.setQueryString("patient=p");
    request.setRemoteAddr("192.0.2.7");
    request.setServerName("gateway.example.org");
    request.setServerPort(8443);
    request.setScheme("https");
    RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    Jwt token =
        Jwt.withTokenValue("t")
            .header("alg", "ES256")
            .claim("client_id", "ehr-app")
            .claim("fhirUser", B)
            .build();
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(token));
  }

  @AfterEach
  void close() {
    audit.close();
    RequestContextHolder.resetRequestAttributes();
    SecurityContextHolder.clearContext();
  }

  @Test
  void aReadUnderAConsent_namesTheConsentAndItsPurpose_andIsABalpPatientRead() {
    grants.put("AllergyIntolerance/a1", "Consent/k1");

    audit.accessed(B, List.of(meta("AllergyIntolerance", "a1")), "read");
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(event.getMeta().getProfile())
        .extracting(p -> p.getValue())
        .containsExactly(AuditEvents.BALP + "PatientRead");
    assertThat(event.getType().getSystem()).isEqualTo(AuditEvents.EVENT_TYPE);
    assertThat(event.getType().getCode()).isEqualTo("rest");
    assertThat(event.getSubtypeFirstRep().getSystem()).isEqualTo(AuditEvents.REST);
    assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
    assertThat(event.getAction()).isEqualTo(AuditEventAction.R);
    assertThat(event.getRecorded()).isNotNull();
    assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");

    AuditEventAgentComponent user = event.getAgent().get(0);
    assertThat(user.getWho().getReference()).isEqualTo(B);
    assertThat(user.getRequestor()).isTrue();
    assertThat(code(user)).isEqualTo("IRCP");
    assertThat(user.getPurposeOfUseFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
    assertThat(user.hasNetwork()).isFalse();
    // BALP Read: the client is the data's destination, the server its source.
    AuditEventAgentComponent client = agent(event, "110152");
    assertThat(client.getWho().getIdentifier().getValue()).isEqualTo("ehr-app");
    assertThat(client.getNetwork().getAddress()).isEqualTo("192.0.2.7");
    assertThat(client.getRequestor()).isFalse();
    AuditEventAgentComponent server = agent(event, "110153");
    assertThat(server.getNetwork().getAddress()).isEqualTo("https://gateway.example.org:8443/fhir");
    assertThat(event.getSource().getObserver().getReference()).isEqualTo(AuditService.AUDITOR);

    assertThat(event.getEntity())
        .extracting(e -> e.getWhat().getReference(), this::typeAndRole)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("AllergyIntolerance/a1", "2/4"),
            org.assertj.core.groups.Tuple.tuple("Consent/k1", "Consent/13"),
            org.assertj.core.groups.Tuple.tuple("Patient/p", "1/1"));
  }

  @Test
  void readsGroupedInOneWindow_nameEveryGrantingConsentOnce_andClaimNoProfile() {
    grants.put("AllergyIntolerance/a1", "Consent/k1");
    grants.put("AllergyIntolerance/a2", "Consent/k2");
    grants.put("AllergyIntolerance/a3", "Consent/k1");

    for (String id : List.of("a1", "a2", "a3")) {
      audit.accessed(B, List.of(meta("AllergyIntolerance", id)), "read");
    }
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(written).hasSize(1);
    assertThat(event.getEntity())
        .extracting(e -> e.getWhat().getReference())
        .containsExactly(
            "AllergyIntolerance/a1",
            "AllergyIntolerance/a2",
            "AllergyIntolerance/a3",
            "Consent/k1",
            "Consent/k2",
            "Patient/p");
    // BALP Read has exactly one data entity: three reads in one event are not a PatientRead.
    assertThat(event.getMeta().getProfile()).isEmpty();
  }

  @Test
  void aSearch_recordsItsQuery_andIsABalpPatientQuery() {
    grants.put("AllergyIntolerance/a1", "Consent/k1");

    audit.accessed(B, List.of(meta("AllergyIntolerance", "a1")), "search");
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(event.getMeta().getProfile())
        .extracting(p -> p.getValue())
        .containsExactly(AuditEvents.BALP + "PatientQuery");
    assertThat(event.getAction()).isEqualTo(AuditEventAction.E);
    assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
    assertThat(agent(event, "110153").getWho().getIdentifier().getValue()).isEqualTo("ehr-app");
    assertThat(agent(event, "110152").getNetwork().getAddress())
        .isEqualTo("https://gateway.example.org:8443/fhir");
    List<AuditEventEntityComponent> queries =
        event.getEntity().stream().filter(e -> typeAndRole(e).equals("2/24")).toList();
    assertThat(queries).hasSize(1);
    assertThat(queries.get(0).hasWhat()).isFalse();
    assertThat(new String(queries.get(0).getQuery(), StandardCharsets.UTF_8))
        .isEqualTo("GET /fhir/AllergyIntolerance?patient=p");
    // The one System Object entity of a query is the query: the versions go by resource type.
    assertThat(typeAndRole(event.getEntityFirstRep())).isEqualTo("AllergyIntolerance/4");
  }

  @Test
  void searchesWithDifferentQueries_areDifferentEvents() {
    audit.accessed(B, List.of(meta("AllergyIntolerance", "a1")), "search");
    ((MockHttpServletRequest)
            ((ServletRequestAttributes) RequestContextHolder.getRequestAttributes()).getRequest())
        .setQueryString("patient=p&code=x");
    audit.accessed(B, List.of(meta("AllergyIntolerance", "a1")), "search");
    audit.flush();

    assertThat(written).hasSize(2);
  }

  @Test
  void aRefusedRead_claimsNoProfile_andNamesNoConsent() {
    grants.put("AllergyIntolerance/a1", "Consent/k1");

    audit.accessed(B, meta("AllergyIntolerance", "a1"), "read", "no consent covers it");
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(event.getMeta().getProfile()).isEmpty();
    assertThat(event.getEntity())
        .extracting(e -> e.getWhat().getReference())
        .containsExactly("AllergyIntolerance/a1", "Patient/p");
  }

  @Test
  void outsideARequest_thereIsNoClientOrServer_andNoProfile() {
    RequestContextHolder.resetRequestAttributes();

    audit.accessed(B, List.of(meta("AllergyIntolerance", "a1")), "read");
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(event.getAgent()).hasSize(1);
    assertThat(event.getMeta().getProfile()).isEmpty();
  }

  @Test
  void aProposal_isABalpPatientCreate_byItsAuthor_withTheConsentsPurpose() {
    VersionMeta consent =
        new VersionMeta("Consent", "k1", 1, 9, Instant.EPOCH, false, B, "p", Set.of(), Set.of());

    audit.written(List.of(consent), List.of(accessConsent()));
    audit.flush();

    AuditEvent event = written.get(0);
    assertThat(event.getMeta().getProfile())
        .extracting(p -> p.getValue())
        .containsExactly(AuditEvents.BALP + "PatientCreate");
    assertThat(code(event.getAgent().get(0))).isEqualTo("AUT");
    assertThat(agent(event, "110153").getWho().getIdentifier().getValue()).isEqualTo("ehr-app");
    assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
    assertThat(event.getEntity())
        .extracting(e -> e.getWhat().getReference(), this::typeAndRole)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Consent/k1", "2/4"),
            org.assertj.core.groups.Tuple.tuple("Patient/p", "1/1"));
  }

  private String typeAndRole(AuditEventEntityComponent entity) {
    return entity.getType().getCode() + "/" + entity.getRole().getCode();
  }

  private static String code(AuditEventAgentComponent agent) {
    return agent.getType().getCodingFirstRep().getCode();
  }

  private static AuditEventAgentComponent agent(AuditEvent event, String dicomRole) {
    return event.getAgent().stream()
        .filter(a -> a.getType().getCodingFirstRep().getCode().equals(dicomRole))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no agent of role " + dicomRole));
  }

  private static Consent accessConsent() {
    Consent consent = new Consent();
    consent
        .getScope()
        .addCoding()
        .setSystem(ConsentEngine.CONSENT_SCOPE_SYSTEM)
        .setCode(ConsentEngine.PRIVACY_SCOPE);
    consent.getProvision().addPurpose(new Coding(PURPOSE_SYSTEM, "TREAT", "treatment"));
    return consent;
  }

  private static VersionMeta meta(String type, String id) {
    return new VersionMeta(
        type, id, 1, 7, Instant.EPOCH, false, "Practitioner/a", "p", Set.of("g1"), Set.of());
  }
}
