package org.healthgateway.server.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.healthgateway.server.store.Write;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the retention: at start and then every {@code interval}, counts the patients' AuditEvents
 * that expired since the last run (recorded between the previous cutoff and the current one) and,
 * if there are any, records that fact as an AuditEvent of its own (DICOM "Audit Log Used", action
 * delete, no patient: sealed for the audit identity, served to auditors, never expiring). Its
 * {@code period} runs from the previous cutoff to this one, its entity's details say how many
 * expired and under which retention. The ledger keeps every entry: expiry stops serving, it does
 * not erase (fhir-server/README.md, "Audit retention").
 */
public final class AuditExpiry implements AutoCloseable {
  static final Coding AUDIT_LOG_USED = new Coding(AuditEvents.DCM, "110101", "Audit Log Used");

  private static final Logger LOG = LoggerFactory.getLogger(AuditExpiry.class);

  private final AuditPolicy policy;
  private final ResourceIndex index;
  private final Function<VersionMeta, Optional<AuditEvent>> opener;
  private final EventWriter writer;
  private final String auditor;
  private final ScheduledExecutorService runner =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "audit-expiry");
            t.setDaemon(true);
            return t;
          });

  /**
   * Runs nothing until {@link #start}.
   *
   * @param opener opens an AuditEvent version with the audit identity's key
   */
  public AuditExpiry(
      AuditPolicy policy,
      ResourceIndex index,
      Function<VersionMeta, Optional<AuditEvent>> opener,
      EventWriter writer) {
    this(policy, index, opener, writer, AuditService.AUDITOR);
  }

  /** Runs nothing until {@link #start}; {@code auditor} is the access log's identity. */
  public AuditExpiry(
      AuditPolicy policy,
      ResourceIndex index,
      Function<VersionMeta, Optional<AuditEvent>> opener,
      EventWriter writer,
      String auditor) {
    this.auditor = auditor;
    this.policy = policy;
    this.index = index;
    this.opener = opener;
    this.writer = writer;
  }

  /** Runs now (on the caller's thread) and then every {@code interval}; no-op without retention. */
  public void start(Duration interval) {
    if (policy.cutoff().isEmpty()) {
      return;
    }
    runOrLog();
    var unused =
        runner.scheduleWithFixedDelay(
            this::runOrLog, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void runOrLog() {
    try {
      run();
    } catch (Exception e) {
      LOG.error("audit expiry run failed; the next run retries", e);
    }
  }

  /**
   * One run: the expiry's AuditEvent if any AuditEvent expired since the last run, else empty.
   *
   * @throws Exception if the expiry's AuditEvent cannot be written (the next run counts again)
   */
  public synchronized Optional<AuditEvent> run() throws Exception {
    Optional<Instant> cutoff = policy.cutoff();
    if (cutoff.isEmpty()) {
      return Optional.empty();
    }
    Instant previous = previousCutoff();
    long expired =
        index.currentOfType("AuditEvent").stream()
            .filter(meta -> meta.patientId() != null)
            .filter(meta -> !meta.lastUpdated().isBefore(previous))
            .filter(meta -> meta.lastUpdated().isBefore(cutoff.get()))
            .count();
    if (expired == 0) {
      return Optional.empty();
    }
    AuditEvent event = event(previous, cutoff.get(), expired);
    writer.write(List.of(Write.of(event, 1)), Collections.singletonList(null), auditor);
    LOG.info("{} audit events recorded before {} expired", expired, cutoff.get());
    return Optional.of(event);
  }

  /** The cutoff of the last expiry run (its event's period end); the epoch if none ran. */
  private Instant previousCutoff() {
    Instant previous = Instant.EPOCH;
    for (VersionMeta meta : index.currentOfType("AuditEvent")) {
      if (meta.patientId() == null && meta.author().equals(auditor)) {
        Optional<AuditEvent> event = opener.apply(meta).filter(AuditExpiry::isExpiry);
        if (event.isPresent() && event.get().getPeriod().hasEnd()) {
          Instant end = event.get().getPeriod().getEnd().toInstant();
          previous = end.isAfter(previous) ? end : previous;
        }
      }
    }
    return previous;
  }

  static boolean isExpiry(AuditEvent event) {
    return AUDIT_LOG_USED.getSystem().equals(event.getType().getSystem())
        && AUDIT_LOG_USED.getCode().equals(event.getType().getCode())
        && event.getAction() == AuditEventAction.D;
  }

  private AuditEvent event(Instant previous, Instant cutoff, long expired) {
    AuditEvent event = new AuditEvent();
    event.setId("AuditEvent/" + UUID.randomUUID());
    event.setType(AUDIT_LOG_USED.copy());
    event.setAction(AuditEventAction.D);
    event.setPeriod(new Period().setStart(Date.from(previous)).setEnd(Date.from(cutoff)));
    event.setRecorded(Date.from(Instant.now()));
    event.setOutcome(AuditEventOutcome._0);
    event.addAgent().setWho(new Reference(auditor)).setRequestor(true);
    event.getSource().setObserver(new Reference(auditor));
    String retention = policy.retention().orElse("");
    AuditEvent.AuditEventEntityComponent entity =
        event
            .addEntity()
            .setType(new Coding(AuditEvents.ENTITY_TYPE, "2", "System Object"))
            .setRole(new Coding(AuditEvents.OBJECT_ROLE, "20", "Job"))
            .setDescription(
                expired
                    + " AuditEvents recorded before "
                    + cutoff
                    + " expired under gateway.audit.retention "
                    + retention);
    entity.addDetail().setType("expired").setValue(new StringType(Long.toString(expired)));
    entity.addDetail().setType("expiredBefore").setValue(new StringType(cutoff.toString()));
    entity.addDetail().setType("retention").setValue(new StringType(retention));
    return event;
  }

  @Override
  public void close() {
    runner.shutdownNow();
  }
}
