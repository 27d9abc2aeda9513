package org.healthgateway.server.audit;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.VersionMeta;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteListener;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The patient's access log: every access to a patient's data by someone other than the patient
 * becomes an AuditEvent on the ledger, in the Patient compartment and so encrypted for the patient
 * (and for the auditing identity). An interaction that serves many versions of one patient (a
 * search, {@code $everything}, a key release) is one event with an entity per version. Events are
 * batched and appended every 200 ms on a background thread, so reads never wait for an fsync; an
 * event is lost only if the node stops within that window. Reads of AuditEvents themselves are not
 * logged (no log of the log).
 */
public final class AuditService implements AuditTrail, WriteListener, AutoCloseable {
  /** The identity that writes audit events. */
  public static final String AUDITOR = "Device/gateway-audit";

  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
  private static final int MAX_BATCH = 500;

  private final RecordStore store;
  private final MeterRegistry meters;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "audit-flush");
            t.setDaemon(true);
            return t;
          });

  public AuditService(RecordStore store, MeterRegistry meters) {
    this.store = store;
    this.meters = meters;
    flusher.scheduleWithFixedDelay(this::flush, 200, 200, TimeUnit.MILLISECONDS);
  }

  @Override
  public void accessed(String requester, VersionMeta meta, String action, String refusal) {
    if (isLogged(requester, meta)) {
      record(event(requester, meta.patientId(), List.of(meta), action, refusal), action, refusal);
    }
  }

  /** One event per patient for the whole interaction, with an entity per version. */
  @Override
  public void accessed(String requester, List<VersionMeta> metas, String action) {
    Map<String, List<VersionMeta>> byPatient = new LinkedHashMap<>();
    for (VersionMeta meta : metas) {
      if (isLogged(requester, meta)) {
        byPatient.computeIfAbsent(meta.patientId(), p -> new ArrayList<>()).add(meta);
      }
    }
    byPatient.forEach(
        (patientId, versions) ->
            record(event(requester, patientId, versions, action, null), action, null));
  }

  private static boolean isLogged(String requester, VersionMeta meta) {
    return meta.patientId() != null
        && !meta.type().equals("AuditEvent")
        && !requester.equals("Patient/" + meta.patientId());
  }

  private void record(Pending event, String action, String refusal) {
    pending.add(event);
    meters
        .counter(
            "gateway.audit.events",
            "action",
            action,
            "outcome",
            refusal == null ? "served" : "refused")
        .increment();
  }

  /** Consent changes made by others than the patient (a practitioner's request) are logged too. */
  @Override
  public void written(List<VersionMeta> written, List<IBaseResource> resources) {
    for (VersionMeta meta : written) {
      if (meta.type().equals("Consent")) {
        accessed(meta.author(), meta, "consent", null);
      }
    }
  }

  /** An event waiting to be appended, with the patient it belongs to. */
  private record Pending(AuditEvent event, String patientId) {}

  private static Pending event(
      String requester,
      String patientId,
      List<VersionMeta> versions,
      String action,
      String refusal) {
    AuditEvent event = new AuditEvent();
    event.setId("AuditEvent/" + UUID.randomUUID());
    event.setType(
        new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"));
    event.addSubtype(
        new Coding("http://hl7.org/fhir/restful-interaction", restCode(action), action));
    event.setAction(
        action.equals("release")
            ? AuditEventAction.E
            : action.equals("consent") ? AuditEventAction.U : AuditEventAction.R);
    event.setRecorded(new Date());
    event.setOutcome(refusal == null ? AuditEventOutcome._0 : AuditEventOutcome._4);
    if (refusal != null) {
      event.setOutcomeDesc(refusal);
    }
    event.addAgent().setWho(new Reference(requester)).setRequestor(true);
    event.getSource().setObserver(new Reference(AUDITOR));
    // Each version, then the patient: unversioned references, so that AuditEvent?entity=Type/id
    // and _revinclude find the event; the version is a detail of the entity.
    for (VersionMeta meta : versions) {
      event
          .addEntity()
          .setWhat(new Reference(meta.type() + "/" + meta.id()))
          .addDetail()
          .setType("version")
          .setValue(new org.hl7.fhir.r4.model.StringType(Long.toString(meta.version())));
    }
    event
        .addEntity()
        .setWhat(new Reference("Patient/" + patientId))
        .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
    return new Pending(event, patientId);
  }

  private static String restCode(String action) {
    return switch (action) {
      case "search", "everything" -> "search-type";
      case "vread" -> "vread";
      case "consent" -> "update";
      case "release" -> "operation";
      default -> "read";
    };
  }

  /** Appends what is pending; called every 200 ms and on close. */
  public void flush() {
    while (!pending.isEmpty()) {
      List<Write> writes = new ArrayList<>();
      List<String> patients = new ArrayList<>();
      Pending event;
      while (writes.size() < MAX_BATCH && (event = pending.poll()) != null) {
        writes.add(Write.of(event.event(), 1));
        patients.add(event.patientId());
      }
      try {
        store.write(writes, patients, AUDITOR);
      } catch (Exception e) {
        LOG.error("could not append {} audit events", writes.size(), e);
        return;
      }
    }
  }

  @Override
  public void close() {
    flusher.shutdown();
    flush();
  }
}
