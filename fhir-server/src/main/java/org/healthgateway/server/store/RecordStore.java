package org.healthgateway.server.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.healthgateway.keys.ContentCipher;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyWrapper;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.mappings.PatientCompartment;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns resource versions into signed ledger transactions and back. Clinical resources (those in
 * the Patient compartment) are sealed with a fresh data key per version whose wrapped copies sit
 * under the grant keys of the patient and the author; directory resources are stored in clear and
 * signed. Owner-only types ({@link #isOwnerOnly}: Subscription) are sealed the same way, for their
 * author alone, and no one else reads them. The AAD of a sealed version is {@code
 * Type/id/_history/v || 0x00 || pseudonym}.
 */
public final class RecordStore {
  private static final Logger LOG = LoggerFactory.getLogger(RecordStore.class);

  /**
   * Types whose versions belong to their author alone: a Subscription's criteria name a patient,
   * its endpoint and headers carry webhook credentials.
   */
  private static final Set<String> OWNER_ONLY = Set.of("Subscription");

  private final FhirContext fhir;
  private final Ledger ledger;
  private final ResourceIndex index;
  private final IdentityRegistry identities;
  private final GrantKeyRing grants;
  private final ContentCipher cipher;
  private final KeyWrapper keyWrapper;
  private final Cache<Long, SecretKey> dataKeys;
  private final Cache<Long, IBaseResource> opened;
  private final PatientCompartment compartment;
  private final MeterRegistry meters;
  private final List<WriteListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, String> sharedStrings = new ConcurrentHashMap<>();
  private final Map<Set<String>, Set<String>> sharedSets = new ConcurrentHashMap<>();
  private volatile AccessPolicy accessPolicy = AccessPolicy.DENY_ALL;
  private volatile RecipientPolicy recipientPolicy = RecipientPolicy.NONE;

  public RecordStore(
      FhirContext fhir,
      Ledger ledger,
      ResourceIndex index,
      IdentityRegistry identities,
      GrantKeyRing grants,
      ContentCipher cipher,
      KeyWrapper keyWrapper,
      Cache<Long, SecretKey> dataKeys,
      Cache<Long, IBaseResource> opened,
      MeterRegistry meters) {
    this.fhir = fhir;
    this.ledger = ledger;
    this.index = index;
    this.identities = identities;
    this.grants = grants;
    this.cipher = cipher;
    this.keyWrapper = keyWrapper;
    this.dataKeys = dataKeys;
    this.opened = opened;
    this.compartment = new PatientCompartment(fhir);
    this.meters = meters;
  }

  public ResourceIndex index() {
    return index;
  }

  public FhirContext fhir() {
    return fhir;
  }

  public Ledger ledger() {
    return ledger;
  }

  /** Rebuilds the in-memory state from the ledger; writes the node identity on a new ledger. */
  public void open() throws LedgerException, GeneralSecurityException {
    if (ledger.size() == 0) {
      Transaction genesis = identities.nodeIdentityTransaction();
      ledger.append(List.of(genesis));
    }
    ledger.scan(0, this::apply);
    LOG.info(
        "ledger opened: {} entries, {} resource versions", ledger.size(), index.countVersions());
  }

  private void apply(LedgerEntry entry) throws LedgerException {
    Transaction tx = entry.transaction();
    switch (tx.type()) {
      case IDENTITY -> {
        // A new encryption key retires the grants wrapped for the old one: the next write for
        // each pair issues a grant for the new key. The ledger holds the fact, so a restart
        // keeps the retirement.
        if (identities.apply(tx)) {
          grants.retire(tx.subject());
        }
      }
      case KEY_RELEASE -> grants.apply(entry);
      case RESOURCE_VERSION -> {
        VersionMeta meta = meta(entry.index(), tx);
        index.add(meta);
        if (!meta.deleted() && !meta.encrypted()) {
          indexIdentifiers(
              meta, parser().parseResource(new String(tx.payload(), StandardCharsets.UTF_8)));
        }
      }
      default -> {}
    }
  }

  private VersionMeta meta(long ledgerIndex, Transaction tx) {
    String[] parts = tx.subject().split("/", -1);
    String patientId =
        tx.patient().isEmpty()
            ? null
            : identities
                .patientOf(tx.patient())
                .map(r -> r.substring("Patient/".length()))
                .orElse(null);
    Set<String> grantIds = new LinkedHashSet<>();
    tx.wrappedKeys().forEach(k -> grantIds.add(k.keyId()));
    return new VersionMeta(
        shared(parts[0]),
        parts[1],
        Long.parseLong(parts[3]),
        ledgerIndex,
        tx.timestamp(),
        tx.isTombstone(),
        shared(tx.author()),
        patientId == null ? null : shared(patientId),
        sharedSets.computeIfAbsent(Set.copyOf(grantIds), g -> g),
        sharedSets.computeIfAbsent(Set.copyOf(tx.categories()), c -> c));
  }

  /**
   * One instance of each type name, author and patient id (and, in {@code sharedSets}, of each set
   * of grant key ids and of categories): the index holds a VersionMeta per version, and at a
   * million versions the copies decoded from each transaction would fill the heap with the same few
   * strings.
   */
  private String shared(String value) {
    String known = sharedStrings.putIfAbsent(value, value);
    return known == null ? value : known;
  }

  private void indexIdentifiers(VersionMeta meta, IBaseResource resource) {
    if (fhir.getResourceDefinition(resource).getChildByName("identifier") == null) {
      return;
    }
    List<String> tokens = new ArrayList<>();
    for (Identifier identifier :
        fhir.newTerser().getValues(resource, meta.type() + ".identifier", Identifier.class)) {
      tokens.add(identifier.getSystem() + "|" + identifier.getValue());
    }
    index.addIdentifiers(meta.type(), meta.id(), tokens);
  }

  public void setAccessPolicy(AccessPolicy policy) {
    this.accessPolicy = policy;
  }

  public void setRecipientPolicy(RecipientPolicy policy) {
    this.recipientPolicy = policy;
  }

  public GrantKeyRing grants() {
    return grants;
  }

  public IdentityRegistry identities() {
    return identities;
  }

  /** Registers a listener told of every durable write. */
  public void addListener(WriteListener listener) {
    listeners.add(listener);
  }

  private void notifyListeners(List<VersionMeta> metas, List<Write> writes) {
    List<IBaseResource> resources = new ArrayList<>(writes.size());
    writes.forEach(w -> resources.add(w.resource()));
    for (WriteListener listener : listeners) {
      try {
        listener.written(metas, resources);
      } catch (RuntimeException e) {
        LOG.error("write listener failed", e);
      }
    }
  }

  /** True if the type is clinical (Patient compartment) and so stored encrypted. */
  public boolean isClinical(String type) {
    return compartment.isInPatientCompartment(type);
  }

  /**
   * True if the type's versions are sealed for their author alone (the patient compartment does not
   * apply) and are none of anyone else's business.
   */
  public boolean isOwnerOnly(String type) {
    return OWNER_ONLY.contains(type);
  }

  /**
   * True for a version of an owner-only type written by someone other than {@code requester}: it
   * neither opens nor shows for them, even a deletion or a clear version an older node wrote.
   */
  public boolean isOwnedByAnother(VersionMeta meta, String requester) {
    return isOwnerOnly(meta.type()) && !meta.author().equals(requester);
  }

  /** The patient id a resource belongs to, or empty for directory resources. */
  public Optional<String> patientOf(IBaseResource resource) {
    return compartment.patientIds(resource).stream().findFirst();
  }

  /**
   * Records the writes as one atomic ledger batch, signed by {@code author}, and indexes them once
   * durable. {@code patients} gives each clinical write's patient id (resolved by the caller, which
   * checks that the patient exists).
   */
  public List<VersionMeta> write(List<Write> writes, List<String> patients, String author)
      throws LedgerException, GeneralSecurityException {
    if (!identities.isRegistered(author)) {
      identities.register(author, ledger);
    }
    Instant now = Instant.now();
    List<Transaction> txs = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      txs.add(transaction(writes.get(i), patients.get(i), author, now));
    }
    Timer.Sample sample = Timer.start(meters);
    List<Long> indexes = ledger.append(txs);
    sample.stop(meters.timer("gateway.ledger.append", "batch", batchBucket(txs.size())));
    meters.summary("gateway.ledger.append.batch.size").record(txs.size());
    List<VersionMeta> metas = new ArrayList<>(txs.size());
    for (int i = 0; i < txs.size(); i++) {
      VersionMeta meta = meta(indexes.get(i), txs.get(i));
      index.add(meta);
      if (!meta.deleted() && !meta.encrypted()) {
        indexIdentifiers(meta, writes.get(i).resource());
      }
      metas.add(meta);
    }
    notifyListeners(metas, writes);
    return metas;
  }

  private Transaction transaction(Write write, String patientId, String author, Instant now)
      throws LedgerException, GeneralSecurityException {
    String pseudonym = patientId == null ? "" : pseudonymOf(patientId);
    if (write.isDeletion()) {
      return identities.sign(
          new Transaction(
              TransactionType.RESOURCE_VERSION,
              write.versionedReference(),
              pseudonym,
              List.of(),
              author,
              now,
              new byte[0],
              new byte[0],
              List.of(),
              ""),
          author);
    }
    IBaseResource resource = write.resource();
    resource.getMeta().setVersionId(Long.toString(write.version()));
    resource.getMeta().setLastUpdated(Date.from(now));
    resource.setId(write.type() + "/" + write.id() + "/_history/" + write.version());
    byte[] plaintext = parser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
    List<String> categories = List.copyOf(DataCategories.categorize(resource));
    byte[] payload;
    List<WrappedKey> wrapped = new ArrayList<>();
    if (isClinical(write.type()) || isOwnerOnly(write.type())) {
      SecretKey dek = DataKeys.newDataKey();
      payload = cipher.seal(dek, plaintext, aad(write.versionedReference(), pseudonym));
      List<String> readers =
          isOwnerOnly(write.type())
              ? List.of(author)
              : recipients(write, patientId, author, categories);
      for (String recipient : readers) {
        GrantKeyRing.Grant grant = grants.ensure(pseudonym, recipient, ledger);
        wrapped.add(
            new WrappedKey(grant.id(), "A256KW", keyWrapper.wrap(grants.key(grant, ledger), dek)));
        meters.counter("gateway.keys.wraps", "kind", "data").increment();
      }
    } else {
      payload = plaintext;
    }
    return identities.sign(
        new Transaction(
            TransactionType.RESOURCE_VERSION,
            write.versionedReference(),
            pseudonym,
            categories,
            author,
            now,
            sha256(plaintext),
            payload,
            wrapped,
            ""),
        author);
  }

  /**
   * The patient, the actors of standing consents, the author, and every author of an earlier
   * version: a new version never locks anyone out of a record they already had.
   */
  private List<String> recipients(
      Write write, String patientId, String author, List<String> categories) {
    Set<String> recipients = new LinkedHashSet<>();
    if (patientId != null) {
      recipients.add("Patient/" + patientId);
      recipients.addAll(
          recipientPolicy.recipients(patientId, write.resource(), new LinkedHashSet<>(categories)));
    }
    recipients.add(author);
    for (VersionMeta earlier : index.history(write.type(), write.id())) {
      recipients.add(earlier.author());
    }
    return new ArrayList<>(recipients);
  }

  private String pseudonymOf(String patientId) throws LedgerException, GeneralSecurityException {
    String ref = "Patient/" + patientId;
    if (!identities.isRegistered(ref)) {
      identities.register(ref, ledger);
    }
    return identities.pseudonym(ref).orElseThrow();
  }

  /**
   * True if {@code requester} may read the version: public, or a grant key of theirs wraps it;
   * never another author's version of an owner-only type.
   */
  public boolean canRead(VersionMeta meta, String requester) {
    if (isOwnedByAnother(meta, requester)) {
      return false;
    }
    if (!meta.encrypted()) {
      return true;
    }
    return grantFor(meta, requester).isPresent();
  }

  private Optional<GrantKeyRing.Grant> grantFor(VersionMeta meta, String requester) {
    return grants.grantFor(meta, requester);
  }

  /**
   * Opens a version for the requester.
   *
   * @throws AccessDeniedException if no key was released to the requester, or the version is
   *     another author's of an owner-only type
   */
  public IBaseResource read(VersionMeta meta, String requester)
      throws AccessDeniedException, LedgerException, GeneralSecurityException {
    return ((Resource) readShared(meta, requester)).copy();
  }

  /**
   * Like {@link #read} but returns the cached instance, which the caller must not change; for
   * matching many candidates without copying each.
   */
  public IBaseResource readShared(VersionMeta meta, String requester)
      throws AccessDeniedException, LedgerException, GeneralSecurityException {
    if (isOwnedByAnother(meta, requester)) {
      throw new AccessDeniedException(meta.type() + "/" + meta.id() + " belongs to another user");
    }
    GrantKeyRing.Grant grant = null;
    if (meta.encrypted()) {
      grant = grantFor(meta, requester).orElse(null);
      if (grant == null) {
        throw new AccessDeniedException(
            "No key for " + meta.type() + "/" + meta.id() + " was released to " + requester);
      }
    }
    IBaseResource resource = opened.getIfPresent(meta.ledgerIndex());
    if (resource == null) {
      resource = decode(meta, grant);
      opened.put(meta.ledgerIndex(), resource);
    }
    if (grant != null && !isOwner(meta, requester)) {
      Optional<String> refusal = accessPolicy.refusal(meta, resource, requester);
      if (refusal.isPresent()) {
        throw new AccessDeniedException(refusal.get());
      }
    }
    return resource;
  }

  /**
   * The patient and the authors of the version and of every earlier one always read with their own
   * keys; others also need a consent.
   */
  private boolean isOwner(VersionMeta meta, String requester) {
    if (requester.equals(meta.author())
        || (meta.patientId() != null && requester.equals("Patient/" + meta.patientId()))) {
      return true;
    }
    for (VersionMeta earlier : index.history(meta.type(), meta.id())) {
      if (earlier.version() < meta.version() && requester.equals(earlier.author())) {
        return true;
      }
    }
    return false;
  }

  private IBaseResource decode(VersionMeta meta, GrantKeyRing.Grant grant)
      throws LedgerException, GeneralSecurityException {
    if (meta.deleted()) {
      throw new IllegalArgumentException("a deletion has no content");
    }
    Transaction tx = ledger.read(meta.ledgerIndex()).transaction();
    byte[] plaintext;
    if (grant == null) {
      plaintext = tx.payload();
    } else {
      SecretKey dek = dataKey(meta, tx, grant);
      plaintext = cipher.open(dek, tx.payload(), aad(meta.versionedReference(), tx.patient()));
    }
    return parser().parseResource(new String(plaintext, StandardCharsets.UTF_8));
  }

  private SecretKey dataKey(VersionMeta meta, Transaction tx, GrantKeyRing.Grant grant)
      throws GeneralSecurityException, LedgerException {
    SecretKey cached = dataKeys.getIfPresent(meta.ledgerIndex());
    if (cached != null) {
      meters.counter("gateway.keys.cache", "key", "data", "result", "hit").increment();
      return cached;
    }
    meters.counter("gateway.keys.cache", "key", "data", "result", "miss").increment();
    byte[] wrapped = null;
    for (WrappedKey key : tx.wrappedKeys()) {
      if (key.keyId().equals(grant.id())) {
        wrapped = key.wrapped();
      }
    }
    if (wrapped == null) {
      wrapped =
          grants
              .releasedDataKey(meta.ledgerIndex(), grant.id())
              .orElseThrow(() -> new GeneralSecurityException("no wrapped key for the grant"));
    }
    SecretKey dek = keyWrapper.unwrap(grants.key(grant, ledger), wrapped);
    meters.counter("gateway.keys.unwraps", "kind", "data").increment();
    dataKeys.put(meta.ledgerIndex(), dek);
    return dek;
  }

  private IParser parser() {
    return fhir.newJsonParser();
  }

  static byte[] aad(String versionedReference, String pseudonym) {
    return (versionedReference + '\0' + pseudonym).getBytes(StandardCharsets.UTF_8);
  }

  private static String batchBucket(int size) {
    return size == 1 ? "1" : size <= 10 ? "2-10" : size <= 100 ? "11-100" : "101+";
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
