package org.healthgateway.server.consent;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.consent.ChangeRule;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.consent.ResourceFacts;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteGuard;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the key broker's {@link ChangeRule} to every write, whatever the path (create, update,
 * delete, batch and transaction entries all reach the store through the same guard): gathers the
 * facts (author of version 1, patient, the current and the new content's metadata, the patient's
 * consents) and returns the first denial, so that nothing of the batch is written.
 */
public final class ChangeGuard implements WriteGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeGuard.class);

  private final FhirContext fhir;
  private final RecordStore store;
  private final ConsentService consents;
  private final ChangeRule rule;

  public ChangeGuard(
      FhirContext fhir, RecordStore store, ConsentService consents, ChangeRule rule) {
    this.fhir = fhir;
    this.store = store;
    this.consents = consents;
    this.rule = rule;
  }

  @Override
  public Decision check(List<Write> writes, String requester) {
    for (Write write : writes) {
      if (write.type().equals("Consent") && consents.governsAccess(write)) {
        continue; // the consent state machine of ConsentService decides
      }
      Decision decision = decide(write, requester);
      if (!decision.permitted()) {
        return Decision.deny(
            "Not allowed to write " + write.type() + "/" + write.id() + ": " + decision.reason());
      }
    }
    return Decision.permit("every write is permitted");
  }

  private Decision decide(Write write, String requester) {
    List<VersionMeta> history = store.index().history(write.type(), write.id());
    if (history.isEmpty()) {
      String patient =
          write.isDeletion() || !store.isClinical(write.type())
              ? null
              : store.patientOf(write.resource()).map(p -> "Patient/" + p).orElse(null);
      return rule.create(requester, write.type(), patient);
    }
    Optional<VersionMeta> live = lastLive(history);
    String patientId = history.get(history.size() - 1).patientId();
    if (patientId == null && live.isPresent()) {
      patientId = live.get().patientId();
    }
    AccessRequest current = live.map(meta -> request(requester, meta, opened(meta))).orElse(null);
    AccessRequest next =
        write.isDeletion() ? null : ResourceFacts.access(fhir, requester, write.resource());
    if (current == null) {
      current =
          next != null
              ? next
              : new AccessRequest(requester, write.type(), null, null, null, Instant.now());
    }
    return rule.change(
        new ChangeRule.Change(
            history.get(0).author(),
            patientId == null ? null : "Patient/" + patientId,
            current,
            next),
        patientId == null ? List.of() : consents.consentsOf(patientId));
  }

  private static Optional<VersionMeta> lastLive(List<VersionMeta> history) {
    for (int i = history.size() - 1; i >= 0; i--) {
      if (!history.get(i).deleted()) {
        return Optional.of(history.get(i));
      }
    }
    return Optional.empty();
  }

  /** The current content, opened with its author's key (this node's): only to judge the write. */
  private IBaseResource opened(VersionMeta meta) {
    try {
      return store.readShared(meta, meta.author());
    } catch (Exception e) {
      LOG.warn("cannot open {} to judge a write: {}", meta.versionedReference(), e.toString());
      return null;
    }
  }

  private AccessRequest request(String requester, VersionMeta meta, IBaseResource resource) {
    if (resource == null) {
      // Metadata only: the ledger's categories; no date, so a dataPeriod never permits.
      return new AccessRequest(
          requester, meta.type(), meta.categories(), null, null, Instant.now());
    }
    return ResourceFacts.access(fhir, requester, resource);
  }
}
