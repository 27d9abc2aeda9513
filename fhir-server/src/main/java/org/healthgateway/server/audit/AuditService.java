package org.healthgateway.server.audit;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteListener;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patient's access log: every access to a patient's data by someone other than the patient
 * becomes part of an AuditEvent on the ledger, in the Patient compartment and so encrypted for the
 * patient (and for the auditing identity). Accesses are collected and appended every 200 ms on a
 * background thread, so reads never wait for an fsync; they are lost only if the node stops within
 * that window. One AuditEvent covers the accesses of one agent to one patient's data with the same
 * action and outcome in one such window (a search, {@code $everything}, a key release, or a burst
 * of reads): an entity per version, then the patient, and {@code period} from the first access to
 * the last. Reads of AuditEvents themselves are not logged (no log of the log).
 */
public final class AuditService implements AuditTrail, WriteListener, AutoCloseable {
  /** The identity that writes audit events. */
  public static final String AUDITOR = "Device/gateway-audit";

  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
  private static final int MAX_BATCH = 500;
  private static final int MAX_ENTITIES = 1000;
  private static final int MAX_ATTEMPTS = 5;
  private static final String ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
  private static final String PARTICIPATION_TYPE =
      "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

  private final EventWriter store;
  private final MeterRegistry meters;
  private final ConcurrentLinkedQueue<Access> pending = new ConcurrentLinkedQueue<>();

  /** Events built but not appended: the ledger refused them; guarded by {@code this}. */
  private final List<Group> unsent = new ArrayList<>();

  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "audit-flush");
            t.setDaemon(true);
            return t;
          });

  public AuditService(EventWriter store, MeterRegistry meters) {
    this(store, meters, Duration.ofMillis(200));
  }

  /** Flushes every {@code period}; tests choose a long one and call {@link #flush} themselves. */
  AuditService(EventWriter store, MeterRegistry meters, Duration period) {
    this.store = store;
    this.meters = meters;
    var unused =
        flusher.scheduleWithFixedDelay(
            this::flushOrLog, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void accessed(String requester, VersionMeta meta, String action, String refusal) {
    if (isLogged(requester, meta)) {
      record(
          new Access(requester, meta.patientId(), List.of(meta), action, refusal, Instant.now()));
    }
  }

  @Override
  public void accessed(String requester, List<VersionMeta> metas, String action) {
    Instant now = Instant.now();
    byPatient(metas, meta -> isLogged(requester, meta))
        .forEach(
            (patientId, versions) ->
                record(new Access(requester, patientId, versions, action, null, now)));
  }

  /** The versions {@code logged} keeps, grouped by patient in the order they came. */
  private static Map<String, List<VersionMeta>> byPatient(
      List<VersionMeta> versions, java.util.function.Predicate<VersionMeta> logged) {
    Map<String, List<VersionMeta>> byPatient = new LinkedHashMap<>();
    for (VersionMeta meta : versions) {
      if (logged.test(meta)) {
        byPatient.computeIfAbsent(meta.patientId(), p -> new ArrayList<>()).add(meta);
      }
    }
    return byPatient;
  }

  private static boolean isLogged(String requester, VersionMeta meta) {
    return meta.patientId() != null
        && !meta.type().equals("AuditEvent")
        && !requester.equals("Patient/" + meta.patientId());
  }

  private void record(Access access) {
    pending.add(access);
    meters
        .counter(
            "gateway.audit.events",
            "action",
            access.action(),
            "outcome",
            access.refusal() == null ? "served" : "refused")
        .increment();
  }

  /**
   * Every change of an access Consent is logged as what it was: a practitioner's request is a
   * create by the proposer; an approval, rejection or revocation is an update by the patient, or by
   * a registrar on the patient's behalf.
   */
  @Override
  public void written(List<VersionMeta> written, List<IBaseResource> resources) {
    Instant now = Instant.now();
    for (int i = 0; i < written.size(); i++) {
      VersionMeta meta = written.get(i);
      IBaseResource resource = i < resources.size() ? resources.get(i) : null;
      if (meta.type().equals("Consent")
          && meta.patientId() != null
          && resource instanceof Consent consent
          && ConsentEngine.governsAccess(consent)) {
        String patient = "Patient/" + meta.patientId();
        boolean forThePatient = meta.version() > 1 && !meta.author().equals(patient);
        record(
            new Access(
                meta.author(),
                forThePatient ? patient : null,
                null,
                null,
                meta.patientId(),
                List.of(meta),
                meta.version() == 1 ? "create" : "update",
                null,
                now));
      }
    }
  }

  @Override
  public void released(
      String releaser,
      String onBehalfOf,
      String recipient,
      String consent,
      List<VersionMeta> versions) {
    Instant now = Instant.now();
    byPatient(versions, meta -> meta.patientId() != null)
        .forEach(
            (patientId, metas) ->
                record(
                    new Access(
                        releaser,
                        onBehalfOf,
                        recipient,
                        consent,
                        patientId,
                        metas,
                        "release",
                        null,
                        now)));
  }

  /**
   * One reported access, waiting for the next flush.
   *
   * @param requester who acted: the reader, the writer of a Consent, the releasing party
   * @param onBehalfOf the patient a registrar or the node acted for, or null
   * @param recipient who received the keys of a release, or null
   * @param consent the Consent a release was made under ({@code Consent/id}), or null
   */
  private record Access(
      String requester,
      String onBehalfOf,
      String recipient,
      String consent,
      String patientId,
      List<VersionMeta> versions,
      String action,
      String refusal,
      Instant at) {

    Access(
        String requester,
        String patientId,
        List<VersionMeta> versions,
        String action,
        String refusal,
        Instant at) {
      this(requester, null, null, null, patientId, versions, action, refusal, at);
    }

    /** Accesses with the same key become one AuditEvent. */
    List<String> key() {
      return Arrays.asList(requester, onBehalfOf, recipient, consent, patientId, action, refusal);
    }
  }

  /** The accesses of one key in one window, in the order they happened. */
  private static final class Group {
    private final Access first;
    private final List<VersionMeta> versions = new ArrayList<>();
    private Instant last;
    private int attempts;

    Group(Access first) {
      this.first = first;
      add(first);
    }

    void add(Access access) {
      versions.addAll(access.versions());
      last = access.at();
    }

    boolean hasRoomFor(Access access) {
      return versions.size() + access.versions().size() <= MAX_ENTITIES;
    }
  }

  /**
   * Appends what is pending; called every 200 ms and on close. Events whose append failed are kept
   * and appended first next time, so a ledger that fails for a while delays the log but loses
   * nothing of it; an event refused five times is dropped, counted in {@code gateway.audit.dropped}
   * and logged.
   */
  public synchronized void flush() {
    // Retried one by one, so that one event the store refuses cannot hold back the others.
    for (java.util.Iterator<Group> it = unsent.iterator(); it.hasNext(); ) {
      Group group = it.next();
      if (append(List.of(group))) {
        it.remove();
      } else if (++group.attempts >= MAX_ATTEMPTS) {
        it.remove();
        meters.counter("gateway.audit.dropped").increment();
        LOG.error(
            "audit event of {} dropped after {} attempts", group.first.action(), MAX_ATTEMPTS);
      } else {
        return;
      }
    }
    while (!pending.isEmpty()) {
      Map<List<String>, Group> open = new LinkedHashMap<>();
      List<Group> events = new ArrayList<>();
      Access access;
      while (events.size() + open.size() < MAX_BATCH && (access = pending.poll()) != null) {
        Group group = open.get(access.key());
        if (group != null && group.hasRoomFor(access)) {
          group.add(access);
        } else {
          if (group != null) {
            events.add(group);
          }
          open.put(access.key(), new Group(access));
        }
      }
      events.addAll(open.values());
      if (!append(events)) {
        unsent.addAll(events);
        return;
      }
    }
  }

  /** The scheduled flush: whatever fails is logged, and the schedule goes on. */
  private void flushOrLog() {
    try {
      flush();
    } catch (RuntimeException e) {
      meters.counter("gateway.audit.failures").increment();
      LOG.error("audit flush failed; pending accesses are kept", e);
    }
  }

  private boolean append(List<Group> groups) {
    try {
      List<Write> writes = new ArrayList<>();
      List<String> patients = new ArrayList<>();
      for (Group group : groups) {
        writes.add(Write.of(event(group), 1));
        patients.add(group.first.patientId());
      }
      store.write(writes, patients, AUDITOR);
      return true;
    } catch (Exception e) {
      meters.counter("gateway.audit.failures").increment();
      LOG.error("could not append {} audit events; retrying", groups.size(), e);
      return false;
    }
  }

  private static AuditEvent event(Group group) {
    Access access = group.first;
    AuditEvent event = new AuditEvent();
    event.setId("AuditEvent/" + UUID.randomUUID());
    event.setType(
        new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"));
    event.addSubtype(
        new Coding(
            "http://hl7.org/fhir/restful-interaction", restCode(access.action()), access.action()));
    event.setAction(
        switch (access.action()) {
          case "release" -> AuditEventAction.E;
          case "create" -> AuditEventAction.C;
          case "update" -> AuditEventAction.U;
          default -> AuditEventAction.R;
        });
    event.setPeriod(new Period().setStart(Date.from(access.at())).setEnd(Date.from(group.last)));
    event.setRecorded(Date.from(Instant.now()));
    event.setOutcome(access.refusal() == null ? AuditEventOutcome._0 : AuditEventOutcome._4);
    if (access.refusal() != null) {
      event.setOutcomeDesc(access.refusal());
    }
    event.addAgent().setWho(new Reference(access.requester())).setRequestor(true);
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
          .setType(
              new CodeableConcept(new Coding(PARTICIPATION_TYPE, "IRCP", "information recipient")));
    }
    event.getSource().setObserver(new Reference(AUDITOR));
    // Each version, then the patient: unversioned references, so that AuditEvent?entity=Type/id
    // and _revinclude find the event; the version is a detail of the entity.
    for (VersionMeta meta : group.versions) {
      event
          .addEntity()
          .setWhat(new Reference(meta.type() + "/" + meta.id()))
          .addDetail()
          .setType("version")
          .setValue(new StringType(Long.toString(meta.version())));
    }
    if (access.consent() != null) {
      event
          .addEntity()
          .setWhat(new Reference(access.consent()))
          .setType(new Coding("http://hl7.org/fhir/resource-types", "Consent", "Consent"));
    }
    event
        .addEntity()
        .setWhat(new Reference("Patient/" + access.patientId()))
        .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
    return event;
  }

  private static String restCode(String action) {
    return switch (action) {
      case "search", "everything", "include" -> "search-type";
      case "vread" -> "vread";
      case "history" -> "history-instance";
      case "register-keys" -> "operation";
      case "create" -> "create";
      case "update" -> "update";
      case "release" -> "operation";
      default -> "read";
    };
  }

  @Override
  public void close() {
    flusher.shutdown();
    flush();
  }
}
