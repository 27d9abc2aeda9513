package org.healthgateway.server.audit;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patient's access log: every access to a patient's data by someone other than the patient
 * becomes part of an AuditEvent on the ledger, in the Patient compartment and so encrypted for the
 * patient (and for the auditing identity). Accesses are collected and appended every 200 ms on a
 * background thread, so reads never wait for an fsync; they are lost only if the node stops within
 * that window. One AuditEvent covers the accesses of one agent to one patient's data with the same
 * action and outcome, from the same client, in one such window (a search, {@code $everything}, a
 * key release, or a burst of reads): an entity per version, the Consents that granted them, then
 * the patient, and {@code period} from the first access to the last. The event's shape is {@link
 * AuditEvents}'s (IHE BALP). Reads of AuditEvents themselves are not logged (no log of the log).
 */
public final class AuditService implements AuditTrail, WriteListener, AutoCloseable {
  /** The identity that writes audit events. */
  public static final String AUDITOR = "Device/gateway-audit";

  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
  private static final int MAX_BATCH = 500;
  private static final int MAX_ATTEMPTS = 5;

  private final EventWriter store;
  private final String auditor;
  private final MeterRegistry meters;
  private final ConsentLookup consents;
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

  public AuditService(EventWriter store, MeterRegistry meters, ConsentLookup consents) {
    this(store, meters, consents, AUDITOR, Duration.ofMillis(200));
  }

  /**
   * @param auditor the identity that writes and signs the access log: {@link #AUDITOR} on a node of
   *     the default id, {@code Device/<node-id>-audit} on a named one (on a shared chain an
   *     identity has one home node)
   */
  public AuditService(
      EventWriter store, MeterRegistry meters, ConsentLookup consents, String auditor) {
    this(store, meters, consents, auditor, Duration.ofMillis(200));
  }

  /** Flushes every {@code period}; tests choose a long one and call {@link #flush} themselves. */
  AuditService(EventWriter store, MeterRegistry meters, ConsentLookup consents, Duration period) {
    this(store, meters, consents, AUDITOR, period);
  }

  private AuditService(
      EventWriter store,
      MeterRegistry meters,
      ConsentLookup consents,
      String auditor,
      Duration period) {
    this.auditor = auditor;
    this.store = store;
    this.meters = meters;
    this.consents = consents;
    var unused =
        flusher.scheduleWithFixedDelay(
            this::flushOrLog, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void accessed(String requester, VersionMeta meta, String action, String refusal) {
    if (isLogged(requester, meta)) {
      List<String> granted = refusal == null ? granting(requester, List.of(meta)) : List.of();
      record(
          new Access(
              requester,
              null,
              null,
              null,
              meta.patientId(),
              List.of(meta),
              action,
              refusal,
              Instant.now(),
              facts(action),
              granted,
              purposes(meta.patientId(), granted)));
    }
  }

  @Override
  public void accessed(String requester, List<VersionMeta> metas, String action) {
    Instant now = Instant.now();
    RequestFacts request = facts(action);
    byPatient(metas, meta -> isLogged(requester, meta))
        .forEach(
            (patientId, versions) -> {
              List<String> granted = granting(requester, versions);
              record(
                  new Access(
                      requester,
                      null,
                      null,
                      null,
                      patientId,
                      versions,
                      action,
                      null,
                      now,
                      request,
                      granted,
                      purposes(patientId, granted)));
            });
  }

  /** The Consents that permitted the versions, each once, in the order of the versions. */
  private List<String> granting(String requester, List<VersionMeta> versions) {
    Set<String> granted = new LinkedHashSet<>();
    for (VersionMeta meta : versions) {
      consents.grantingConsent(meta, requester).ifPresent(granted::add);
    }
    return List.copyOf(granted);
  }

  private List<Coding> purposes(String patientId, List<String> consentRefs) {
    List<Coding> purposes = new ArrayList<>();
    consentRefs.forEach(c -> purposes.addAll(consents.purposes(patientId, c)));
    return purposes;
  }

  /** The request's parties; the request line only for searches, whose query BALP records. */
  private static RequestFacts facts(String action) {
    RequestFacts facts = RequestFacts.current();
    return facts == null || action.equals("search") ? facts : facts.withoutQuery();
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
   * a registrar on the patient's behalf. The Consent's purposes are the event's.
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
        String action = meta.version() == 1 ? "create" : "update";
        record(
            new Access(
                meta.author(),
                forThePatient ? patient : null,
                null,
                null,
                meta.patientId(),
                List.of(meta),
                action,
                null,
                now,
                facts(action),
                List.of(),
                ConsentPurposes.of(consent)));
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
    RequestFacts request = facts("release");
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
                        now,
                        request,
                        List.of(),
                        purposes(patientId, consent == null ? List.of() : List.of(consent)))));
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
      } else if (group.failedAttempt() >= MAX_ATTEMPTS) {
        it.remove();
        meters.counter("gateway.audit.dropped").increment();
        LOG.error(
            "audit event of {} dropped after {} attempts", group.first().action(), MAX_ATTEMPTS);
      } else {
        return;
      }
    }
    while (!pending.isEmpty()) {
      Map<List<Object>, Group> open = new LinkedHashMap<>();
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
        AuditEvent event = AuditEvents.of(group, auditor);
        writes.add(Write.of(event, 1));
        patients.add(group.first().patientId());
      }
      store.write(writes, patients, auditor);
      return true;
    } catch (Exception e) {
      meters.counter("gateway.audit.failures").increment();
      LOG.error("could not append {} audit events; retrying", groups.size(), e);
      return false;
    }
  }

  @Override
  public void close() {
    flusher.shutdown();
    flush();
  }
}
