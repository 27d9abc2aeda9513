package org.healthgateway.server.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.keys.consent.ReadRule;
import org.healthgateway.keys.consent.ResourceFacts;
import org.healthgateway.keys.envelope.Envelope;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.grant.Grant;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.mappings.PatientCompartment;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns resource versions into ledger transactions and back, one record signed by its author per
 * write (a version, or every version of a Bundle transaction). Clinical resources (those in the
 * Patient compartment) are sealed with a fresh data key per version whose wrapped copies sit under
 * the grant keys of the patient and the author; directory resources are stored in clear and signed.
 * Owner-only types ({@link ReadRule#OWNER_ONLY_TYPES}: Subscription) are sealed the same way, for
 * their author alone. Sealing, opening, grants and identities are the key broker's ({@link
 * Envelope}, {@link GrantRing}, {@link Identities}); who may read is its {@link ReadRule}. This
 * class records and finds versions on the ledger.
 */
public final class RecordStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordStore.class);

  private final FhirContext fhir;
  private final Ledger ledger;
  private final ResourceIndex index;
  private final Identities identities;
  private final GrantRing grants;
  private final Envelope envelope;
  private final LedgerKeyLog keyLog;
  private final TransactionSigning signing;
  private final ReadRule readRule;
  private final Cache<Long, IBaseResource> opened;
  private final PatientCompartment compartment;
  private final MeterRegistry meters;
  private final List<WriteListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, String> sharedStrings = new ConcurrentHashMap<>();
  private final Map<Set<String>, Set<String>> sharedSets = new ConcurrentHashMap<>();
  private final FactPositions facts;
  private final Snapshots snapshots;
  private final ExecutorService snapshotter;
  private final AtomicBoolean snapshotQueued = new AtomicBoolean();
  private volatile long snapshotSize;
  private volatile long openedFrom;
  private volatile ConsentBook consents = ConsentBook.NONE;
  private volatile RecipientPolicy recipientPolicy = RecipientPolicy.NONE;
  private volatile ReleaseCheck releaseCheck = ReleaseCheck.NONE;
  private final Object foreignLock = new Object();
  // Until startFollowing(): other nodes' entries delivered since open() began, and their key
  // releases of data keys found by open(), which wait for the consents they are checked against.
  private List<LedgerEntry> foreignDuringOpen = new ArrayList<>();
  private List<LedgerEntry> deferredReleases = new ArrayList<>();
  private long scannedTo;

  /**
   * The Consent that permitted each recent consent-based read, so that the access log can name it:
   * (ledger index, requester) to {@code Consent/id}; bounded, in memory only.
   */
  private final Cache<GrantedRead, String> grantedBy =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(100_000)
          .expireAfterWrite(java.time.Duration.ofMinutes(5))
          .build();

  private record GrantedRead(long ledgerIndex, String requester) {}

  public RecordStore(
      FhirContext fhir,
      Ledger ledger,
      ResourceIndex index,
      Identities identities,
      GrantRing grants,
      Envelope envelope,
      LedgerKeyLog keyLog,
      TransactionSigning signing,
      ReadRule readRule,
      Cache<Long, IBaseResource> opened,
      MeterRegistry meters,
      FactPositions facts,
      Snapshots snapshots) {
    this.fhir = fhir;
    this.ledger = ledger;
    this.index = index;
    this.identities = identities;
    this.grants = grants;
    this.envelope = envelope;
    this.readRule = readRule;
    this.signing = signing;
    this.keyLog = keyLog;
    this.opened = opened;
    this.compartment = new PatientCompartment(fhir);
    this.meters = meters;
    this.facts = facts;
    this.snapshots = snapshots;
    this.snapshotter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "index-snapshot");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Where the index snapshot lives and how many ledger entries after the last one make a new one
   * ({@code after} = 0: no snapshots, every start replays the whole ledger).
   */
  public record Snapshots(Path file, long after) {
    public static final Snapshots NONE = new Snapshots(null, 0);

    boolean enabled() {
      return file != null && after > 0;
    }
  }

  public ResourceIndex index() {
    return index;
  }

  public FhirContext fhir() {
    return fhir;
  }

  /**
   * Rebuilds the in-memory state: from the index snapshot when there is one whose Merkle root is
   * the ledger's at its size, replaying the key facts it lists and then the ledger's tail; else
   * from every ledger entry. Writes the node identity on a new ledger.
   */
  public void open() throws LedgerException, KeyLogException {
    if (ledger.size() == 0) {
      keyLog.appendIdentities(List.of(identities.nodeIdentity()));
    }
    ledger.addForeignEntryListener(this::foreign);
    long from = snapshots.enabled() ? restoreSnapshot() : 0;
    scannedTo = from;
    ledger.scan(
        from,
        entry -> {
          apply(entry);
          scannedTo = entry.index() + 1;
        });
    openedFrom = from;
    snapshotSize = from;
    LOG.info(
        "ledger opened: {} entries, {} resource versions; {} entries replayed after the index"
            + " snapshot of {}",
        ledger.size(),
        index.countVersions(),
        ledger.size() - from,
        from);
    if (snapshots.enabled() && ledger.size() - from >= snapshots.after()) {
      queueSnapshot();
    }
  }

  /** The tree size of the snapshot the last {@link #open} started from; 0 for a full replay. */
  public long openedFrom() {
    return openedFrom;
  }

  /**
   * Restores the index from the snapshot and replays the key facts it lists; returns its tree size,
   * or 0 (nothing restored) if there is none, it is not this ledger's, or it does not open.
   */
  private long restoreSnapshot() throws LedgerException {
    Path file = snapshots.file();
    if (!Files.exists(file)) {
      return 0;
    }
    IndexSnapshot.Contents contents;
    IndexSnapshot.Header header;
    try {
      header = IndexSnapshot.readHeader(file);
      if (header.treeSize() > ledger.size()
          || !Arrays.equals(header.rootHash(), ledger.rootHash(header.treeSize()))) {
        LOG.warn(
            "index snapshot {} (tree size {}) is not of this ledger; replaying every entry",
            file,
            header.treeSize());
        return 0;
      }
      contents =
          IndexSnapshot.read(
              file,
              identities.nodeEncryptionKey(),
              this::shared,
              set -> sharedSets.computeIfAbsent(set, s -> s));
    } catch (IOException e) {
      LOG.warn(
          "index snapshot {} cannot be used ({}); replaying every entry", file, e.getMessage());
      return 0;
    }
    for (List<VersionMeta> history : contents.histories()) {
      history.forEach(index::add);
    }
    contents.identifiers().forEach(index::restoreIdentifiers);
    for (long position : contents.factPositions()) {
      apply(ledger.read(position));
    }
    return header.treeSize();
  }

  /**
   * Writes an index snapshot of the ledger as it is now, unless writes are in flight (an entry is
   * durable but not yet indexed), which it retries a few times.
   *
   * @return true if a snapshot was written
   */
  public boolean saveSnapshot() {
    if (!snapshots.enabled()) {
      return false;
    }
    synchronized (snapshots) {
      try {
        for (int attempt = 0; attempt < 5; attempt++) {
          long treeSize = ledger.size();
          byte[] root = ledger.rootHash(treeSize);
          IndexSnapshot.Contents contents = IndexSnapshot.capture(index, facts, treeSize);
          if (contents.entries() == treeSize) {
            long start = System.nanoTime();
            IndexSnapshot.write(
                snapshots.file(),
                new IndexSnapshot.Header(treeSize, root, Instant.now()),
                contents,
                identities.nodeEncryptionKey().toPublicJWK());
            snapshotSize = treeSize;
            LOG.info(
                "index snapshot written at tree size {} in {} ms",
                treeSize,
                (System.nanoTime() - start) / 1_000_000);
            return true;
          }
          Thread.sleep(20);
        }
        LOG.debug("index snapshot skipped: writes kept arriving");
      } catch (IOException | GeneralSecurityException | LedgerException e) {
        LOG.warn("cannot write the index snapshot {}: {}", snapshots.file(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }

  private void queueSnapshot() {
    if (snapshotQueued.compareAndSet(false, true)) {
      snapshotter.execute(
          () -> {
            snapshotQueued.set(false);
            saveSnapshot();
          });
    }
  }

  /** Stops the background snapshots and writes a last one; the ledger is closed after this. */
  @Override
  public void close() {
    snapshotter.shutdown();
    try {
      if (!snapshotter.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("index snapshot still being written at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ledger.size() > snapshotSize) {
      saveSnapshot();
    }
  }

  /**
   * Applies what other nodes wrote while this node opened, once the consents that their key
   * releases are checked against are known ({@link #setReleaseCheck}); from then on, other nodes'
   * entries are applied as they arrive.
   */
  public void startFollowing() {
    synchronized (foreignLock) {
      if (foreignDuringOpen == null) {
        return;
      }
      List<LedgerEntry> releases = deferredReleases;
      List<LedgerEntry> arrived = foreignDuringOpen;
      deferredReleases = null;
      foreignDuringOpen = null;
      releases.forEach(this::applyForeign);
      for (LedgerEntry entry : arrived) {
        if (entry.index() >= scannedTo) {
          applyForeign(entry);
        }
      }
    }
  }

  /** Another node's entry, from the ledger's thread: applied at once, or by startFollowing. */
  private void foreign(LedgerEntry entry) {
    synchronized (foreignLock) {
      if (foreignDuringOpen != null) {
        foreignDuringOpen.add(entry);
        return;
      }
      applyForeign(entry);
    }
  }

  /**
   * Applies another node's entry like one of the ledger at start, except a key release that no
   * consent covers (below), and tells the listeners of a resource version with what this node can
   * open of it.
   */
  private void applyForeign(LedgerEntry entry) {
    Transaction tx = entry.transaction();
    try {
      if (tx.type() == TransactionType.KEY_RELEASE) {
        String problem = foreignReleaseProblem(entry);
        if (problem != null) {
          LOG.warn("ignored the key release at {} by {}: {}", entry.index(), tx.author(), problem);
          meters.counter("gateway.ledger.foreign.rejected", "reason", "release").increment();
          return;
        }
      }
      VersionMeta meta = apply(entry);
      if (meta != null) {
        IBaseResource resource = openForNode(meta).orElse(null);
        for (WriteListener listener : listeners) {
          listener.foreignWritten(List.of(meta), java.util.Collections.singletonList(resource));
        }
      }
    } catch (LedgerException | RuntimeException e) {
      LOG.error("cannot apply the entry at {} by {}", entry.index(), tx.author(), e);
    }
  }

  /**
   * Why another node's key release must not count, or null. A node may re-wrap only grants it
   * issued itself; data keys released after the fact ({@link GrantRing#RELEASED_PREFIX}) must be of
   * versions of the release's patient that an active consent of that patient may let the recipient
   * read (the read rule still decides each read); a grant issued with a write carries no released
   * key and needs no consent.
   */
  private String foreignReleaseProblem(LedgerEntry entry) throws LedgerException {
    Transaction tx = entry.transaction();
    GrantFact fact = LedgerKeyLog.grantFact(tx);
    if (fact == null) {
      return null;
    }
    Optional<Grant> known = grants.byId(fact.grantId());
    if (known.isPresent()
        && !ledger.read(known.get().position()).transaction().author().equals(tx.author())) {
      return "grant " + fact.grantId() + " was issued by another node";
    }
    Optional<String> patient = patientId(tx.patient());
    for (org.healthgateway.keys.log.WrappedKey key : fact.keys()) {
      if (!key.keyId().startsWith(GrantRing.RELEASED_PREFIX)) {
        continue;
      }
      long position = Long.parseLong(key.keyId().substring(GrantRing.RELEASED_PREFIX.length()));
      if (position < 0 || position >= entry.index()) {
        return "release of an entry that is not an earlier version";
      }
      Transaction version = ledger.read(position).transaction();
      if (version.type() != TransactionType.RESOURCE_VERSION
          || !version.patient().equals(tx.patient())
          || patient.isEmpty()) {
        return "release of an entry that is not a version of the patient";
      }
      VersionMeta meta = meta(position, version);
      if (!releaseCheck.mayRelease(patient.get(), fact.recipient(), meta, tx.timestamp())) {
        return "no active consent of the patient covers " + meta.versionedReference();
      }
    }
    return null;
  }

  /** True for a fact that releases data keys after the fact or re-wraps a known grant. */
  private boolean needsConsentCheck(GrantFact fact) {
    return grants.byId(fact.grantId()).isPresent()
        || fact.keys().stream().anyMatch(k -> k.keyId().startsWith(GrantRing.RELEASED_PREFIX));
  }

  /**
   * Opens a version for the node's own bookkeeping (consents, subscriptions), never to serve it:
   * clear content as it is, sealed content with the first grant of the version that this node can
   * open (its own copy of a grant it issued, or the private key of the grant's recipient).
   */
  public Optional<IBaseResource> openForNode(VersionMeta meta) {
    if (meta.deleted()) {
      return Optional.empty();
    }
    IBaseResource cached = opened.getIfPresent(meta.ledgerIndex());
    if (cached != null) {
      return Optional.of(((Resource) cached).copy());
    }
    try {
      if (!meta.encrypted()) {
        return Optional.of(decode(meta, null));
      }
      for (String grantId : meta.grantKeyIds()) {
        Optional<Grant> grant = grants.byId(grantId);
        if (grant.isPresent()) {
          try {
            return Optional.of(decode(meta, grant.get()));
          } catch (GeneralSecurityException e) {
            // not a grant this node can open; the next one may be
          }
        }
      }
    } catch (LedgerException | KeyLogException | GeneralSecurityException e) {
      LOG.warn("cannot open {} for the node: {}", meta.versionedReference(), e.toString());
    }
    return Optional.empty();
  }

  /** Applies an entry; returns the version it recorded, or null for other transactions. */
  private VersionMeta apply(LedgerEntry entry) throws LedgerException {
    Transaction tx = entry.transaction();
    if (tx.type() != TransactionType.RESOURCE_VERSION) {
      facts.add(entry.index());
    }
    switch (tx.type()) {
      case IDENTITY -> {
        // A new encryption key retires the grants wrapped for the old one: the next write for
        // each pair issues a grant for the new key. The ledger holds the fact, so a restart
        // keeps the retirement.
        if (identities.apply(LedgerKeyLog.identityFact(tx), tx.author())) {
          grants.retire(tx.subject());
        }
      }
      case KEY_RELEASE -> {
        GrantFact fact = LedgerKeyLog.grantFact(tx);
        if (fact != null) {
          if (deferredReleases != null
              && !tx.author().equals(identities.node())
              && needsConsentCheck(fact)) {
            // Another node's release or re-wrap: checked by startFollowing, once the consents are
            // known (a grant issued with a write is applied at once: the consents open with it).
            deferredReleases.add(entry);
          } else {
            grants.apply(entry.index(), fact, tx.author().equals(identities.node()));
          }
        }
      }
      case RESOURCE_VERSION -> {
        VersionMeta meta = meta(entry.index(), tx);
        index.add(meta);
        if (!meta.deleted() && !meta.encrypted()) {
          indexIdentifiers(
              meta, parser().parseResource(new String(tx.payload(), StandardCharsets.UTF_8)));
        }
        return meta;
      }
      default -> {}
    }
    return null;
  }

  /** The id (without {@code Patient/}) of the patient a ledger pseudonym stands for. */
  private Optional<String> patientId(String pseudonym) {
    return identities.patientOf(pseudonym).map(ref -> ref.substring("Patient/".length()));
  }

  private VersionMeta meta(long ledgerIndex, Transaction tx) {
    String[] parts = tx.subject().split("/", -1);
    String patientId = tx.patient().isEmpty() ? null : patientId(tx.patient()).orElse(null);
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

  /** Where the read rule finds a patient's consents. */
  public void setConsentBook(ConsentBook consents) {
    this.consents = consents;
  }

  public void setRecipientPolicy(RecipientPolicy policy) {
    this.recipientPolicy = policy;
  }

  /** What judges the data keys another node releases. */
  public void setReleaseCheck(ReleaseCheck check) {
    this.releaseCheck = check;
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
    return ReadRule.isOwnerOnly(type);
  }

  /**
   * True for a version of an owner-only type written by someone other than {@code requester}: it
   * neither opens nor shows for them, even a deletion or a clear version an older node wrote.
   */
  public boolean isOwnedByAnother(VersionMeta meta, String requester) {
    return ReadRule.isOwnedByAnother(meta, requester);
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
      throws LedgerException, KeyLogException, GeneralSecurityException {
    identities.register(author, keyLog);
    Instant now = Instant.now();
    List<Transaction> txs = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      txs.add(transaction(writes.get(i), patients.get(i), author, now));
    }
    SignedRecord record = signing.sign(txs, author);
    Timer.Sample sample = Timer.start(meters);
    List<Long> indexes = ledger.append(record);
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
    if (snapshots.enabled() && ledger.size() - snapshotSize >= snapshots.after()) {
      queueSnapshot();
    }
    return metas;
  }

  private Transaction transaction(Write write, String patientId, String author, Instant now)
      throws LedgerException, KeyLogException, GeneralSecurityException {
    String pseudonym = patientId == null ? "" : pseudonymOf(patientId);
    if (write.isDeletion()) {
      return new Transaction(
          TransactionType.RESOURCE_VERSION,
          write.versionedReference(),
          pseudonym,
          List.of(),
          author,
          now,
          new byte[0],
          new byte[0],
          List.of(),
          "");
    }
    IBaseResource resource = write.resource();
    resource.getMeta().setVersionId(Long.toString(write.version()));
    resource.getMeta().setLastUpdated(Date.from(now));
    resource.setId(write.type() + "/" + write.id() + "/_history/" + write.version());
    byte[] plaintext = parser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
    List<String> categories = List.copyOf(DataCategories.categorize(resource));
    byte[] payload = plaintext;
    List<org.healthgateway.ledger.WrappedKey> wrapped = List.of();
    if (isClinical(write.type()) || isOwnerOnly(write.type())) {
      List<String> readers =
          isOwnerOnly(write.type())
              ? List.of(author)
              : recipients(write, patientId, author, categories);
      Envelope.Sealed sealed =
          envelope.seal(write.versionedReference(), pseudonym, plaintext, readers, keyLog);
      payload = sealed.payload();
      wrapped = sealed.keys().stream().map(LedgerKeyLog::toLedger).toList();
    }
    return new Transaction(
        TransactionType.RESOURCE_VERSION,
        write.versionedReference(),
        pseudonym,
        categories,
        author,
        now,
        sha256(plaintext),
        payload,
        wrapped,
        "");
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

  private String pseudonymOf(String patientId) throws KeyLogException, GeneralSecurityException {
    String ref = "Patient/" + patientId;
    identities.register(ref, keyLog);
    return identities.pseudonym(ref).orElseThrow();
  }

  /**
   * True if the read rule lets {@code requester} open the version, on metadata alone (public, or a
   * grant of theirs wraps it; never another author's version of an owner-only type).
   */
  public boolean canRead(VersionMeta meta, String requester) {
    return readRule.beforeOpening(meta, requester, hasGrant(meta, requester)).permitted();
  }

  private boolean hasGrant(VersionMeta meta, String requester) {
    return meta.encrypted() && envelope.grantFor(meta, requester).isPresent();
  }

  /**
   * Opens a version for the requester.
   *
   * @throws AccessDeniedException if the read rule refuses: no key was released to the requester,
   *     no consent permits the access, or the version is another author's of an owner-only type
   */
  public IBaseResource read(VersionMeta meta, String requester)
      throws AccessDeniedException, LedgerException, KeyLogException, GeneralSecurityException {
    return ((Resource) readShared(meta, requester)).copy();
  }

  /**
   * Like {@link #read} but returns the cached instance, which the caller must not change; for
   * matching many candidates without copying each.
   */
  public IBaseResource readShared(VersionMeta meta, String requester)
      throws AccessDeniedException, LedgerException, KeyLogException, GeneralSecurityException {
    Grant grant = meta.encrypted() ? envelope.grantFor(meta, requester).orElse(null) : null;
    refuseUnless(readRule.beforeOpening(meta, requester, grant != null));
    IBaseResource resource = opened.getIfPresent(meta.ledgerIndex());
    if (resource == null) {
      resource = decode(meta, grant);
      opened.put(meta.ledgerIndex(), resource);
    }
    if (grant != null) {
      AccessRequest access = ResourceFacts.access(fhir, requester, resource);
      List<VersionMeta> history = index.history(meta.type(), meta.id());
      Decision decision =
          readRule.afterOpening(
              meta,
              history,
              access,
              meta.patientId() == null ? List.of() : consents.consentsOf(meta.patientId()));
      refuseUnless(decision);
      // "" = permitted without a consent (the patient, an author): not decided again either.
      grantedBy.put(
          new GrantedRead(meta.ledgerIndex(), requester),
          decision.consentId() == null ? "" : decision.consentId());
    }
    return resource;
  }

  /**
   * The Consent ({@code Consent/id}) whose permit let {@code requester} open the version, as the
   * read rule decided it; empty when none was needed (the patient, an author, public content) or
   * the requester may not open it. Remembered from the read itself for a few minutes, else decided
   * again.
   */
  public Optional<String> grantingConsent(VersionMeta meta, String requester) {
    GrantedRead key = new GrantedRead(meta.ledgerIndex(), requester);
    String known = grantedBy.getIfPresent(key);
    if (known != null || !meta.encrypted() || meta.deleted()) {
      return Optional.ofNullable(known).filter(consent -> !consent.isEmpty());
    }
    try {
      readShared(meta, requester);
    } catch (AccessDeniedException e) {
      return Optional.empty();
    } catch (LedgerException | KeyLogException | GeneralSecurityException e) {
      LOG.warn(
          "cannot decide which consent granted {}: {}", meta.versionedReference(), e.toString());
      return Optional.empty();
    }
    return Optional.ofNullable(grantedBy.getIfPresent(key)).filter(consent -> !consent.isEmpty());
  }

  private static void refuseUnless(Decision decision) throws AccessDeniedException {
    if (!decision.permitted()) {
      throw new AccessDeniedException(decision.reason());
    }
  }

  private IBaseResource decode(VersionMeta meta, Grant grant)
      throws LedgerException, KeyLogException, GeneralSecurityException {
    if (meta.deleted()) {
      throw new IllegalArgumentException("a deletion has no content");
    }
    Transaction tx = ledger.read(meta.ledgerIndex()).transaction();
    byte[] plaintext =
        grant == null
            ? tx.payload()
            : envelope.open(
                meta,
                tx.patient(),
                tx.payload(),
                tx.wrappedKeys().stream().map(LedgerKeyLog::fromLedger).toList(),
                grant,
                keyLog);
    return parser().parseResource(new String(plaintext, StandardCharsets.UTF_8));
  }

  private IParser parser() {
    return fhir.newJsonParser();
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
