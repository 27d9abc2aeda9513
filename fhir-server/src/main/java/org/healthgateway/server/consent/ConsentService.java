package org.healthgateway.server.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.ResourceFacts;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ConsentBook;
import org.healthgateway.server.store.RecipientPolicy;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteGuard;
import org.healthgateway.server.store.WriteListener;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Signature;
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
    implements WriteGuard, WriteListener, ConsentBook, RecipientPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(ConsentService.class);

  private final FhirContext fhir;
  private final RecordStore store;
  private final ConsentEngine engine = new ConsentEngine();
  private final Map<String, Map<String, Consent>> byPatient = new ConcurrentHashMap<>();
  private volatile java.util.function.BiConsumer<String, String> custodialActivation =
      (consentId, patientRef) -> {};

  private final Set<String> registrars;

  public ConsentService(FhirContext fhir, RecordStore store, Collection<String> registrars) {
    this.fhir = fhir;
    this.store = store;
    this.registrars = Set.copyOf(registrars);
  }

  /** Loads every live Consent, opened with its author's key (this node wrote it). */
  public void load() {
    for (VersionMeta meta : store.index().currentOfType("Consent")) {
      try {
        remember((Consent) store.read(meta, meta.author()));
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
  public void check(List<Write> writes, String requester) {
    for (Write write : writes) {
      if (write.type().equals("Consent")) {
        checkConsentWrite(write, writes, requester);
      }
    }
  }

  private void checkConsentWrite(Write write, List<Write> batch, String requester) {
    Optional<VersionMeta> current = store.index().current("Consent", write.id());
    boolean exists = current.isPresent() && !current.get().deleted();
    if (write.isDeletion()) {
      throw new ForbiddenOperationException(
          "Consents are not deleted; the patient sets them to inactive to revoke them");
    }
    Consent next = (Consent) write.resource();
    if (!exists) {
      if (!requester.startsWith("Practitioner/")) {
        throw new ForbiddenOperationException(
            "Only a practitioner may request access (a Consent with status proposed)");
      }
      List<String> problems = engine.validateProposal(next, requester);
      if (!problems.isEmpty()) {
        throw new UnprocessableEntityException(
            "Invalid access request: " + String.join("; ", problems));
      }
      return;
    }
    String patientId = current.get().patientId();
    Consent previous =
        consent(patientId, write.id())
            .orElseThrow(() -> new UnprocessableEntityException("Unknown Consent/" + write.id()));
    String patientRef = "Patient/" + patientId;
    boolean registrarForCustodial = registrars.contains(requester) && isCustodial(patientRef);
    if (!requester.equals(patientRef) && !registrarForCustodial) {
      throw new ForbiddenOperationException(
          "Only the patient may approve, reject or revoke Consent/" + write.id());
    }
    if (registrarForCustodial && !actsOnBehalfOf(write.id(), patientRef, requester, batch)) {
      throw new UnprocessableEntityException(
          "A registrar changing a patient's Consent records it with a Provenance in the same"
              + " transaction: agent.who the registrar, agent.onBehalfOf the patient");
    }
    if (!patientRef.equals(next.getPatient().getReference())) {
      throw new UnprocessableEntityException("A Consent cannot change its patient");
    }
    ConsentState from = previous.getStatus();
    ConsentState to = next.getStatus();
    if (from == ConsentState.PROPOSED
        && (to == ConsentState.ACTIVE || to == ConsentState.REJECTED)) {
      List<String> problems = engine.validateStructure(next);
      if (!problems.isEmpty()) {
        throw new UnprocessableEntityException("Invalid Consent: " + String.join("; ", problems));
      }
      requireSignedApproval(next, current.get().version(), patientRef, batch);
    } else if (!(from == ConsentState.ACTIVE && to == ConsentState.INACTIVE)) {
      throw new UnprocessableEntityException(
          "A Consent goes from proposed to active or rejected, or from active to inactive;"
              + " not from "
              + from.toCode()
              + " to "
              + to.toCode());
    }
  }

  /**
   * An approval or rejection carries, in the same transaction, a Provenance targeting the Consent
   * whose signature is a JWS by the patient's registered signing key over the canonical form of the
   * new Consent with {@code meta.versionId} set to the version it replaces (so an old signature
   * cannot approve a changed Consent). Custodial patients may omit it: the node signs with the
   * patient key it holds, recorded as acting on the patient's behalf.
   */
  private void requireSignedApproval(
      Consent next, long replacedVersion, String patientRef, List<Write> batch) {
    byte[] canonical = canonicalForm(next, replacedVersion);
    Optional<Signature> signature = provenanceSignature(next.getIdElement().getIdPart(), batch);
    JWK key =
        store
            .identities()
            .signingKey(patientRef)
            .orElseThrow(() -> new ForbiddenOperationException(patientRef + " has no signing key"));
    if (signature.isEmpty()) {
      if (isCustodial(patientRef)) {
        return;
      }
      throw new UnprocessableEntityException(
          "Approving or rejecting a Consent needs a Provenance in the same transaction, signed"
              + " by the patient");
    }
    String jws = new String(signature.get().getData(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      Signatures.verifyDetached(key, jws, canonical);
    } catch (java.security.GeneralSecurityException e) {
      throw new ForbiddenOperationException(
          "The approval's signature does not verify with the patient's key for this Consent");
    }
  }

  private static boolean actsOnBehalfOf(
      String consentId, String patientRef, String registrar, List<Write> batch) {
    for (Write write : batch) {
      if (write.type().equals("Provenance") && !write.isDeletion()) {
        Provenance provenance = (Provenance) write.resource();
        boolean targets =
            provenance.getTarget().stream()
                .anyMatch(t -> consentId.equals(t.getReferenceElement().getIdPart()));
        boolean onBehalf =
            provenance.getAgent().stream()
                .anyMatch(
                    a ->
                        registrar.equals(a.getWho().getReference())
                            && patientRef.equals(a.getOnBehalfOf().getReference()));
        if (targets && onBehalf) {
          return true;
        }
      }
    }
    return false;
  }

  /** True if the node holds the patient's current signing key (a custodial patient). */
  public boolean isCustodial(String patientRef) {
    return store.identities().holdsSigningKey(patientRef);
  }

  /** Canonical bytes a patient signs to approve: see {@link ConsentEngine#canonicalForm}. */
  public byte[] canonicalForm(Consent consent, long replacedVersion) {
    Consent copy = consent.copy();
    copy.setMeta(null);
    copy.getMeta().setVersionId(Long.toString(replacedVersion));
    return ConsentEngine.canonicalForm(copy, fhir);
  }

  private static Optional<Signature> provenanceSignature(String consentId, List<Write> batch) {
    for (Write write : batch) {
      if (write.type().equals("Provenance") && !write.isDeletion()) {
        Provenance provenance = (Provenance) write.resource();
        boolean targets =
            provenance.getTarget().stream()
                .anyMatch(t -> consentId.equals(t.getReferenceElement().getIdPart()));
        if (targets && provenance.hasSignature()) {
          return Optional.of(provenance.getSignatureFirstRep());
        }
      }
    }
    return Optional.empty();
  }

  /** Actors a consent names, as references. */
  public static Set<String> actors(Consent consent) {
    Set<String> actors = new LinkedHashSet<>();
    collectActors(consent.getProvision(), actors);
    return actors;
  }

  private static void collectActors(Consent.ProvisionComponent provision, Set<String> into) {
    for (Consent.provisionActorComponent actor : provision.getActor()) {
      into.add(actor.getReference().getReference());
    }
    for (Consent.ProvisionComponent nested : provision.getProvision()) {
      collectActors(nested, into);
    }
  }
}
