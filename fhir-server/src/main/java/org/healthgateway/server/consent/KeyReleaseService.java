package org.healthgateway.server.consent;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.wallet.PatientWallet;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.server.audit.AuditTrail;
import org.healthgateway.server.store.GrantKeyRing;
import org.healthgateway.server.store.IdentityRegistry;
import org.healthgateway.server.store.RecordStore;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;

/**
 * Releases of data written before a consent (flow 4): hands the patient its own wrapped data keys
 * for everything in the consent's scope, then checks and records the patient's signed re-wraps for
 * the actor as a KEY_RELEASE transaction that carries the patient's statement and signature, so
 * every verifier sees which patient-signed consent a release cites. The node never needs the
 * patient's private key, except for custodial patients, for whom it runs the same wallet steps.
 */
public final class KeyReleaseService {
  private final RecordStore store;
  private final ConsentService consents;
  private final AuditTrail audit;

  public KeyReleaseService(RecordStore store, ConsentService consents, AuditTrail audit) {
    this.store = store;
    this.consents = consents;
    this.audit = audit;
  }

  /** The actor, its registered encryption key, and the patient's keys to re-wrap for it. */
  public record ReleaseRequest(String actor, JWK actorKey, List<PatientWallet.HeldKey> keys) {}

  /** For each actor of the active consent: the patient's wrapped keys of the versions in scope. */
  public List<ReleaseRequest> heldKeys(String consentId, String requester) {
    Consent consent = activeConsentOfPatient(consentId, requester);
    String patientId = consent.getPatient().getReferenceElement().getIdPart();
    List<ReleaseRequest> requests = new ArrayList<>();
    for (String actor : ConsentService.actors(consent)) {
      JWK actorKey =
          store
              .identities()
              .publicKey(actor)
              .orElseThrow(
                  () -> new UnprocessableEntityException(actor + " has no registered key"));
      List<PatientWallet.HeldKey> keys = new ArrayList<>();
      for (VersionMeta meta : store.index().currentOfPatient(null, patientId)) {
        if (meta.encrypted()
            && store.grants().grantFor(meta, actor).isEmpty()
            && inScope(consent, actor, meta, requester)) {
          heldKey(meta, requester).ifPresent(keys::add);
        }
      }
      requests.add(new ReleaseRequest(actor, actorKey, keys));
    }
    return requests;
  }

  private boolean inScope(Consent consent, String actor, VersionMeta meta, String patientRef) {
    // The ledger's categories and the type rule most versions out without decrypting them (a
    // patient's history is mostly other categories and AuditEvents).
    AccessRequest byMetadata =
        new AccessRequest(actor, meta.type(), meta.categories(), null, Set.of(), Instant.now());
    if (!consents.engine().mayPermit(consent, byMetadata)) {
      return false;
    }
    IBaseResource resource;
    try {
      resource = store.readShared(meta, patientRef);
    } catch (Exception e) {
      return false;
    }
    return consents
        .engine()
        .decide(
            List.of(consent),
            new AccessRequest(
                actor,
                meta.type(),
                DataCategories.categorize(resource),
                ResourceFacts.dataDate(store.fhir(), resource),
                ResourceFacts.securityLabels(resource),
                Instant.now()))
        .permitted();
  }

  private Optional<PatientWallet.HeldKey> heldKey(VersionMeta meta, String patientRef) {
    Optional<GrantKeyRing.Grant> grant = store.grants().grantFor(meta, patientRef);
    if (grant.isEmpty()) {
      return Optional.empty();
    }
    try {
      Transaction version = store.ledger().read(meta.ledgerIndex()).transaction();
      byte[] dataKey = null;
      for (WrappedKey key : version.wrappedKeys()) {
        if (key.keyId().equals(grant.get().id())) {
          dataKey = key.wrapped();
        }
      }
      if (dataKey == null) {
        return Optional.empty();
      }
      String jwe = store.grants().recipientJwe(grant.get(), store.ledger());
      return Optional.of(new PatientWallet.HeldKey(meta.versionedReference(), jwe, dataKey));
    } catch (LedgerException e) {
      throw new IllegalStateException("cannot read the ledger", e);
    }
  }

  /**
   * Checks and records a patient's signed release: signature by the patient's registered signing
   * key, consent active and naming the actor, a fresh grant id, and every key a version of this
   * patient inside the consent's scope for the actor.
   *
   * @return the number of data keys released
   */
  public int release(String consentId, byte[] statementBytes, String signature, String requester) {
    Consent consent = activeConsentOfPatient(consentId, requester);
    String patientRef = consent.getPatient().getReference();
    ReleaseStatement statement;
    try {
      statement = ReleaseStatement.parse(statementBytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("Malformed release statement: " + e.getMessage());
    }
    verifySignature(patientRef, statementBytes, signature);
    checkStatement(statement, consent, consentId, patientRef);
    String patientId = consent.getPatient().getReferenceElement().getIdPart();
    List<WrappedKey> released = new ArrayList<>();
    List<VersionMeta> versions = new ArrayList<>();
    for (ReleaseStatement.ReleasedKey key : statement.keys()) {
      VersionMeta meta = versionInScope(key.reference(), patientId, consent, statement.actor());
      versions.add(meta);
      released.add(
          new WrappedKey(
              GrantKeyRing.RELEASED_PREFIX + meta.ledgerIndex(), "A256KW", key.dataKey()));
    }
    record(statement, statementBytes, signature, patientRef, released);
    audit.accessed(statement.actor(), versions, "release");
    return released.size();
  }

  private void checkStatement(
      ReleaseStatement statement, Consent consent, String consentId, String patientRef) {
    if (!statement.patient().equals(patientRef)
        || !statement.consent().startsWith("Consent/" + consentId)) {
      throw new ForbiddenOperationException("The release names another patient or consent");
    }
    if (!ConsentService.actors(consent).contains(statement.actor())) {
      throw new ForbiddenOperationException(
          statement.actor() + " is not an actor of Consent/" + consentId);
    }
    if (!statement.grantId().matches("g-[A-Za-z0-9_-]{16,64}")
        || store.grants().byId(statement.grantId()).isPresent()) {
      throw new UnprocessableEntityException("The release needs a new, well-formed grant id");
    }
  }

  private VersionMeta versionInScope(
      String reference, String patientId, Consent consent, String actor) {
    String[] parts = reference.split("/", -1);
    if (parts.length != 4 || !parts[2].equals("_history")) {
      throw new UnprocessableEntityException("Released key for a malformed reference " + reference);
    }
    VersionMeta meta =
        store
            .index()
            .version(parts[0], parts[1], parseVersion(parts[3]))
            .filter(m -> !m.deleted() && patientId.equals(m.patientId()))
            .orElseThrow(
                () ->
                    new ForbiddenOperationException(
                        reference + " is not a record of this patient"));
    if (!inScope(consent, actor, meta, "Patient/" + patientId)) {
      throw new ForbiddenOperationException(
          "The release holds a key outside the consent's scope: " + reference);
    }
    return meta;
  }

  private static long parseVersion(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new UnprocessableEntityException("Bad version " + version);
    }
  }

  private void verifySignature(String patientRef, byte[] statement, String signature) {
    JWK key =
        store
            .identities()
            .signingKey(patientRef)
            .orElseThrow(() -> new ForbiddenOperationException(patientRef + " has no signing key"));
    try {
      Signatures.verifyDetached(key, signature, statement);
    } catch (GeneralSecurityException e) {
      throw new ForbiddenOperationException("The release is not signed by the patient's key");
    }
  }

  private void record(
      ReleaseStatement statement,
      byte[] statementBytes,
      String signature,
      String patientRef,
      List<WrappedKey> released) {
    String pseudonym = store.identities().pseudonym(patientRef).orElseThrow();
    JWK actorKey = store.identities().publicKey(statement.actor()).orElseThrow();
    List<WrappedKey> keys = new ArrayList<>();
    keys.add(
        new WrappedKey(
            statement.grantId(),
            actorKey.getKeyType().getValue().equals("RSA") ? "RSA-OAEP-256" : "ECDH-ES+A256KW",
            statement.grant().getBytes(StandardCharsets.UTF_8)));
    keys.addAll(released);
    String payload =
        "{\"statement\":\""
            + Base64.getEncoder().encodeToString(statementBytes)
            + "\",\"signature\":\""
            + signature
            + "\"}";
    try {
      Transaction tx =
          store
              .identities()
              .sign(
                  new Transaction(
                      TransactionType.KEY_RELEASE,
                      statement.actor(),
                      pseudonym,
                      List.of(),
                      IdentityRegistry.NODE,
                      Instant.now(),
                      new byte[0],
                      payload.getBytes(StandardCharsets.UTF_8),
                      keys,
                      ""),
                  IdentityRegistry.NODE);
      long index = store.ledger().append(List.of(tx)).get(0);
      store.grants().apply(store.ledger().read(index));
    } catch (LedgerException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot record the release", e);
    }
  }

  /** For custodial patients: the node runs the wallet's steps with the patient key it holds. */
  public void releaseCustodial(String consentId, String patientRef) {
    try {
      JWK encryption = store.identities().privateKey(patientRef).orElseThrow();
      JWK signing = store.identities().privateKey(patientRef + "#sig").orElseThrow();
      PatientWallet wallet = new PatientWallet(patientRef, encryption, signing);
      for (ReleaseRequest request : heldKeys(consentId, patientRef)) {
        if (request.keys().isEmpty()) {
          continue;
        }
        PatientWallet.SignedRelease signed =
            wallet.release(
                "Consent/" + consentId, request.actor(), request.actorKey(), request.keys());
        release(consentId, signed.statement(), signed.signature(), patientRef);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("custodial release failed", e);
    }
  }

  private Consent activeConsentOfPatient(String consentId, String requester) {
    VersionMeta meta =
        store
            .index()
            .current("Consent", consentId)
            .filter(m -> !m.deleted())
            .orElseThrow(() -> new ResourceNotFoundException("Consent/" + consentId));
    if (!requester.equals("Patient/" + meta.patientId())) {
      throw new ForbiddenOperationException(
          "Only the patient releases keys for Consent/" + consentId);
    }
    Consent consent =
        consents
            .consent(meta.patientId(), consentId)
            .orElseThrow(() -> new ResourceNotFoundException("Consent/" + consentId));
    if (consent.getStatus() != ConsentState.ACTIVE) {
      throw new UnprocessableEntityException("Consent/" + consentId + " is not active");
    }
    return consent;
  }
}
