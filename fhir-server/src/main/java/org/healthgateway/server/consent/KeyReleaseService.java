package org.healthgateway.server.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.consent.ReleaseRule;
import org.healthgateway.keys.consent.ResourceFacts;
import org.healthgateway.keys.envelope.Envelope;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.grant.Grant;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.WrappedKey;
import org.healthgateway.keys.wallet.PatientWallet;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.server.audit.AuditTrail;
import org.healthgateway.server.store.LedgerKeyLog;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.Refused;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;

/**
 * Releases of data written before a consent (flow 4): hands the patient its own wrapped data keys
 * for everything in the consent's scope, then checks and records the patient's signed re-wraps for
 * the actor as a KEY_RELEASE transaction that carries the patient's statement and signature, so
 * every verifier sees which patient-signed consent a release cites. The node never needs the
 * patient's private key, except for custodial patients, for whom it runs the same wallet steps.
 */
public final class KeyReleaseService {
  private final FhirContext fhir;
  private final RecordStore store;
  private final ResourceIndex index;
  private final Ledger ledger;
  private final Identities identities;
  private final GrantRing grants;
  private final Envelope envelope;
  private final LedgerKeyLog keyLog;
  private final ConsentService consents;
  private final AuditTrail audit;
  private final ReleaseRule rule = new ReleaseRule();

  /**
   * @param store opens versions for the patient (the read rule applies)
   * @param keyLog where releases are recorded, signed by the node
   */
  public KeyReleaseService(
      FhirContext fhir,
      RecordStore store,
      ResourceIndex index,
      Ledger ledger,
      Identities identities,
      GrantRing grants,
      Envelope envelope,
      LedgerKeyLog keyLog,
      ConsentService consents,
      AuditTrail audit) {
    this.fhir = fhir;
    this.store = store;
    this.index = index;
    this.ledger = ledger;
    this.identities = identities;
    this.grants = grants;
    this.envelope = envelope;
    this.keyLog = keyLog;
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
    for (String actor : ConsentEngine.actors(consent)) {
      JWK actorKey =
          identities
              .publicKey(actor)
              .orElseThrow(() -> new Refused(Decision.invalid(actor + " has no registered key")));
      List<PatientWallet.HeldKey> keys = new ArrayList<>();
      for (VersionMeta meta : index.currentOfPatient(null, patientId)) {
        if (meta.encrypted()
            && envelope.grantFor(meta, actor).isEmpty()
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
        .decide(List.of(consent), ResourceFacts.access(fhir, actor, resource))
        .permitted();
  }

  private Optional<PatientWallet.HeldKey> heldKey(VersionMeta meta, String patientRef) {
    Optional<Grant> grant = envelope.grantFor(meta, patientRef);
    if (grant.isEmpty()) {
      return Optional.empty();
    }
    try {
      Transaction version = ledger.read(meta.ledgerIndex()).transaction();
      List<WrappedKey> wrapped =
          version.wrappedKeys().stream().map(LedgerKeyLog::fromLedger).toList();
      Optional<byte[]> dataKey = envelope.wrappedDataKey(meta, wrapped, grant.get());
      if (dataKey.isEmpty()) {
        return Optional.empty();
      }
      String jwe = grants.recipientJwe(grant.get(), keyLog);
      return Optional.of(new PatientWallet.HeldKey(meta.versionedReference(), jwe, dataKey.get()));
    } catch (LedgerException | KeyLogException e) {
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
    return release(consentId, statementBytes, signature, requester, requester, null);
  }

  /**
   * @param releaser who the access log names as releasing: the patient, or the node for a custodial
   *     patient
   * @param onBehalfOf the patient the node releases for, or null
   */
  private int release(
      String consentId,
      byte[] statementBytes,
      String signature,
      String requester,
      String releaser,
      String onBehalfOf) {
    Consent consent = activeConsentOfPatient(consentId, requester);
    String patientRef = consent.getPatient().getReference();
    ReleaseStatement statement;
    try {
      statement = ReleaseStatement.parse(statementBytes);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("Malformed release statement: " + e.getMessage());
    }
    Refused.unless(
        rule.statement(
            statement,
            statementBytes,
            signature,
            consentId,
            consent,
            identities.signingKey(patientRef).orElse(null),
            grants.isFreshId(statement.grantId())));
    String patientId = consent.getPatient().getReferenceElement().getIdPart();
    List<WrappedKey> released = new ArrayList<>();
    List<VersionMeta> versions = new ArrayList<>();
    for (ReleaseStatement.ReleasedKey key : statement.keys()) {
      VersionMeta meta = versionInScope(key.reference(), patientId, consent, statement.actor());
      versions.add(meta);
      released.add(
          new WrappedKey(GrantRing.RELEASED_PREFIX + meta.ledgerIndex(), "A256KW", key.dataKey()));
    }
    record(statement, statementBytes, signature, patientRef, released);
    audit.released(releaser, onBehalfOf, statement.actor(), "Consent/" + consentId, versions);
    return released.size();
  }

  private VersionMeta versionInScope(
      String reference, String patientId, Consent consent, String actor) {
    String[] parts = reference.split("/", -1);
    if (parts.length != 4 || !parts[2].equals("_history")) {
      throw new Refused(Decision.invalid("Released key for a malformed reference " + reference));
    }
    VersionMeta meta = index.version(parts[0], parts[1], parseVersion(parts[3])).orElse(null);
    boolean ofPatient = meta != null && !meta.deleted() && patientId.equals(meta.patientId());
    Refused.unless(
        rule.releasedKey(
            reference,
            meta,
            patientId,
            ofPatient && inScope(consent, actor, meta, "Patient/" + patientId)));
    return meta;
  }

  private static long parseVersion(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new Refused(Decision.invalid("Bad version " + version));
    }
  }

  private void record(
      ReleaseStatement statement,
      byte[] statementBytes,
      String signature,
      String patientRef,
      List<WrappedKey> released) {
    String pseudonym = identities.pseudonym(patientRef).orElseThrow();
    JWK actorKey = identities.publicKey(statement.actor()).orElseThrow();
    List<WrappedKey> keys = new ArrayList<>();
    keys.add(
        new WrappedKey(
            statement.grantId(),
            GrantRing.algorithmFor(actorKey),
            statement.grant().getBytes(StandardCharsets.UTF_8)));
    keys.addAll(released);
    String payload =
        "{\"statement\":\""
            + Base64.getEncoder().encodeToString(statementBytes)
            + "\",\"signature\":\""
            + signature
            + "\"}";
    GrantFact fact =
        new GrantFact(statement.actor(), pseudonym, keys, payload.getBytes(StandardCharsets.UTF_8));
    try {
      long position = keyLog.appendGrants(List.of(fact)).get(0);
      grants.apply(position, fact);
    } catch (KeyLogException e) {
      throw new IllegalStateException("cannot record the release", e);
    }
  }

  /** For custodial patients: the node runs the wallet's steps with the patient key it holds. */
  public void releaseCustodial(String consentId, String patientRef) {
    try {
      JWK encryption = identities.privateKey(patientRef).orElseThrow();
      JWK signing = identities.privateKey(patientRef + "#sig").orElseThrow();
      PatientWallet wallet = new PatientWallet(patientRef, encryption, signing);
      for (ReleaseRequest request : heldKeys(consentId, patientRef)) {
        if (request.keys().isEmpty()) {
          continue;
        }
        PatientWallet.SignedRelease signed =
            wallet.release(
                "Consent/" + consentId, request.actor(), request.actorKey(), request.keys());
        release(
            consentId,
            signed.statement(),
            signed.signature(),
            patientRef,
            identities.node(),
            patientRef);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("custodial release failed", e);
    }
  }

  private Consent activeConsentOfPatient(String consentId, String requester) {
    VersionMeta meta = index.current("Consent", consentId).filter(m -> !m.deleted()).orElse(null);
    Consent consent =
        meta == null ? null : consents.consent(meta.patientId(), consentId).orElse(null);
    Refused.unless(rule.consent(consentId, meta, consent, requester));
    return consent;
  }
}
