package org.healthgateway.server.consent;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.consent.ConsentChangeRule;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.consent.ResourceFacts;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.server.store.ConsentBook;
import org.healthgateway.server.store.RecipientPolicy;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.ReleaseCheck;
import org.healthgateway.server.store.ResourceIndex;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteGuard;
import org.healthgateway.server.store.WriteListener;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consent side of the key broker inside the node: keeps every patient's Consents (decrypted, in
 * memory only), guards Consent state changes (practitioners propose; only the patient approves,
 * with a JWS by the patient's signing key over the Consent's canonical form, rejects or revokes),
 * decides third-party reads with {@link ConsentEngine}, and names the grantees of standing consents
 * for new writes.
 */
public final class ConsentService
    implements WriteGuard, WriteListener, ConsentBook, RecipientPolicy, ReleaseCheck {
  private static final Logger LOG = LoggerFactory.getLogger(ConsentService.class);

  private final FhirContext fhir;
  private final RecordStore store;
  private final ResourceIndex index;
  private final Identities identities;
  private final ConsentEngine engine = new ConsentEngine();
  private final ConsentChangeRule changeRule;
  private final Map<String, Map<String, Consent>> byPatient = new ConcurrentHashMap<>();
  private volatile java.util.function.BiConsumer<String, String> custodialActivation =
      (consentId, patientRef) -> {};

  private final Set<String> registrars;

  /** {@code store} opens Consents with their author's key; {@code index} finds them. */
  public ConsentService(
      FhirContext fhir,
      RecordStore store,
      ResourceIndex index,
      Identities identities,
      Collection<String> registrars) {
    this.fhir = fhir;
    this.store = store;
    this.index = index;
    this.identities = identities;
    this.registrars = Set.copyOf(registrars);
    this.changeRule = new ConsentChangeRule(fhir, engine);
  }

  /**
   * Loads every live Consent this node can open: with its author's key when this node wrote it,
   * else with the key of any identity a grant of it is for whose private key the node holds.
   */
  public void load() {
    for (VersionMeta meta : index.currentOfType("Consent")) {
      try {
        store.openForNode(meta).ifPresent(consent -> remember((Consent) consent));
      } catch (Exception e) {
        LOG.warn("cannot open {}: {}", meta.versionedReference(), e.toString());
      }
    }
  }

  /**
   * Called with (consent id, patient) when a custodial patient's Consent becomes active, so that
   * the broker releases existing data with the patient key the node holds.
   */
  public void onActivation(java.util.function.BiConsumer<String, String> action) {
    this.custodialActivation = action;
  }

  public ConsentEngine engine() {
    return engine;
  }

  /** The patient's consents, any status. */
  @Override
  public List<Consent> consentsOf(String patientId) {
    return List.copyOf(byPatient.getOrDefault(patientId, Map.of()).values());
  }

  public Optional<Consent> consent(String patientId, String consentId) {
    return Optional.ofNullable(byPatient.getOrDefault(patientId, Map.of()).get(consentId));
  }

  private void remember(Consent consent) {
    String patientId = consent.getPatient().getReferenceElement().getIdPart();
    if (patientId != null) {
      byPatient
          .computeIfAbsent(patientId, p -> new ConcurrentHashMap<>())
          .put(consent.getIdElement().getIdPart(), consent);
    }
  }

  /** Another node's Consent versions, where this node could open them, count like its own. */
  @Override
  public void foreignWritten(List<VersionMeta> written, List<IBaseResource> resources) {
    List<VersionMeta> metas = new java.util.ArrayList<>();
    List<IBaseResource> opened = new java.util.ArrayList<>();
    for (int i = 0; i < written.size(); i++) {
      if (resources.get(i) != null || written.get(i).deleted()) {
        metas.add(written.get(i));
        opened.add(resources.get(i));
      }
    }
    written(metas, opened);
  }

  @Override
  public void written(List<VersionMeta> written, List<IBaseResource> resources) {
    for (int i = 0; i < written.size(); i++) {
      VersionMeta meta = written.get(i);
      if (meta.type().equals("Consent")) {
        if (resources.get(i) != null) {
          Consent consent = ((Consent) resources.get(i)).copy();
          remember(consent);
          String patientRef = consent.getPatient().getReference();
          if (consent.getStatus() == ConsentState.ACTIVE
              && ConsentEngine.governsAccess(consent)
              && meta.version() > 1
              && isCustodial(patientRef)) {
            custodialActivation.accept(meta.id(), patientRef);
          }
        } else if (meta.patientId() != null) {
          byPatient.getOrDefault(meta.patientId(), Map.of()).remove(meta.id());
        }
      }
    }
  }

  /**
   * True if an active patient-privacy consent of the patient names the recipient and may let it
   * read a version of this type and these categories at {@code at} (dates and labels of the content
   * are the read rule's, checked at every read).
   */
  @Override
  public boolean mayRelease(String patientId, String recipient, VersionMeta version, Instant at) {
    AccessRequest request =
        new AccessRequest(recipient, version.type(), version.categories(), null, Set.of(), at);
    for (Consent consent : byPatient.getOrDefault(patientId, Map.of()).values()) {
      if (ConsentEngine.actors(consent).contains(recipient) && engine.mayPermit(consent, request)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<String> recipients(String patientId, IBaseResource resource, Set<String> categories) {
    Collection<Consent> consents = byPatient.getOrDefault(patientId, Map.of()).values();
    if (consents.isEmpty()) {
      return Set.of();
    }
    return engine.grantees(
        List.copyOf(consents),
        resource.fhirType(),
        categories,
        ResourceFacts.dataDate(fhir, resource),
        ResourceFacts.securityLabels(resource),
        Instant.now());
  }

  @Override
  public Decision check(List<Write> writes, String requester) {
    for (Write write : writes) {
      if (write.type().equals("Consent")) {
        Decision decision = decide(write, writes, requester);
        if (!decision.permitted()) {
          return decision;
        }
      }
    }
    return Decision.permit("no Consent changes, or every one is permitted");
  }

  /** Gathers the facts of one Consent write for the broker's {@link ConsentChangeRule}. */
  private Decision decide(Write write, List<Write> batch, String requester) {
    Optional<VersionMeta> current =
        index.current("Consent", write.id()).filter(meta -> !meta.deleted());
    Consent previous = null;
    String patientRef = null;
    if (current.isPresent()) {
      previous = consent(current.get().patientId(), write.id()).orElse(null);
      if (previous == null) {
        return Decision.invalid("Unknown Consent/" + write.id());
      }
      patientRef = "Patient/" + current.get().patientId();
    }
    List<Provenance> provenances = new ArrayList<>();
    for (Write other : batch) {
      if (other.type().equals("Provenance") && !other.isDeletion()) {
        provenances.add((Provenance) other.resource());
      }
    }
    return changeRule.decide(
        new ConsentChangeRule.Change(
            write.id(),
            previous,
            current.map(VersionMeta::version).orElse(0L),
            write.isDeletion() ? null : (Consent) write.resource(),
            requester,
            registrars.contains(requester),
            patientRef != null && isCustodial(patientRef),
            patientRef == null ? null : identities.signingKey(patientRef).orElse(null),
            provenances));
  }

  /**
   * True if the write is of a Consent that governs access (scope {@code patient-privacy}), which
   * the consent state machine decides; other Consents are records under the write rule. A deletion
   * is judged by the Consent it deletes; one the node cannot find counts as governing access, so
   * the state machine refuses it.
   */
  public boolean governsAccess(Write write) {
    if (write.resource() instanceof Consent consent) {
      return ConsentEngine.governsAccess(consent);
    }
    return index
        .current("Consent", write.id())
        .filter(meta -> !meta.deleted() && meta.patientId() != null)
        .flatMap(meta -> consent(meta.patientId(), write.id()))
        .map(ConsentEngine::governsAccess)
        .orElse(true);
  }

  /** True if the node holds the patient's current signing key (a custodial patient). */
  public boolean isCustodial(String patientRef) {
    return identities.holdsSigningKey(patientRef);
  }

  /** Canonical bytes a patient signs to approve: see {@link ConsentChangeRule#canonicalForm}. */
  public byte[] canonicalForm(Consent consent, long replacedVersion) {
    return changeRule.canonicalForm(consent, replacedVersion);
  }
}
