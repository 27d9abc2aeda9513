package org.healthgateway.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.audit.AuditTrail;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.search.SearchQuery;
import org.healthgateway.server.search.ValueIndex;
import org.healthgateway.server.store.AccessDeniedException;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.ResourceIndex;
import org.healthgateway.server.store.Write;
import org.healthgateway.server.store.WriteGuard;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * FHIR semantics over the record store: version numbering, optimistic locking, conditional creates,
 * reads that honour deletion and keys, and in-memory search over what the requester can open.
 * Writes to one resource are serialized by a striped lock; writes to different resources run
 * concurrently, so the ledger can group-commit them.
 */
public final class ResourceService {
  private static final int STRIPES = 256;

  private final FhirContext fhir;
  private final RecordStore store;
  private final SearchEngine search;
  private final ValueIndex values;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  // Conditional-create criteria have their own stripes, always taken before resource stripes, so
  // that the two kinds can't wait on each other in a cycle.
  private final ReentrantLock[] conditionLocks = new ReentrantLock[STRIPES];
  private final List<WriteGuard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile AuditTrail audit = AuditTrail.NONE;

  public ResourceService(FhirContext fhir, RecordStore store, SearchEngine search) {
    this.fhir = fhir;
    this.store = store;
    this.search = search;
    this.values = ValueIndex.create(search, store.index());
    store.addListener(values::written);
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
      conditionLocks[i] = new ReentrantLock();
    }
  }

  public void setAuditTrail(AuditTrail audit) {
    this.audit = audit;
  }

  public void addGuard(WriteGuard guard) {
    guards.add(guard);
  }

  public FhirContext fhir() {
    return fhir;
  }

  /** The newest version of a resource, a deletion included; empty if it never existed. */
  public Optional<VersionMeta> current(String type, String id) {
    return index().current(type, id);
  }

  /** True if the resource exists and its newest version is not a deletion. */
  public boolean isLive(String type, String id) {
    return index().isLive(type, id);
  }

  /** Every version of a resource, oldest first. */
  public List<VersionMeta> history(String type, String id) {
    return index().history(type, id);
  }

  /** Every version of every resource of the type. */
  public List<VersionMeta> historyOfType(String type) {
    return index().allVersionsOfType(type);
  }

  /** The newest version of every resource of the type, deletions included. */
  public List<VersionMeta> currentOfType(String type) {
    return index().currentOfType(type);
  }

  /** True if the read rule lets the requester open the version, on metadata alone. */
  public boolean canRead(VersionMeta meta, String requester) {
    return store.canRead(meta, requester);
  }

  /** True for a version of an owner-only type (a Subscription) that another user wrote. */
  public boolean isOwnedByAnother(VersionMeta meta, String requester) {
    return store.isOwnedByAnother(meta, requester);
  }

  /** The value index that narrows type-wide searches (for snapshots and figures). */
  public ValueIndex values() {
    return values;
  }

  private ResourceIndex index() {
    return store.index();
  }

  /** Creates a resource with a server-assigned id. */
  public MethodOutcome create(IBaseResource resource, String requester) {
    String id = UUID.randomUUID().toString();
    resource.setId(resource.fhirType() + "/" + id);
    Write write = Write.of(resource, 1);
    List<VersionMeta> metas = writeAll(List.of(write), Set.of(), requester);
    return outcome(metas.get(0), resource, true);
  }

  /**
   * Conditional create (If-None-Exist): the existing match, or a new resource. Requests with the
   * same criteria run one after the other, on every path, so that racing clients create one
   * resource.
   */
  public MethodOutcome conditionalCreate(
      String type, String criteria, IBaseResource resource, String requester) {
    List<ReentrantLock> held = lockConditions(List.of(conditionKey(type, criteria)));
    try {
      return existingMatch(type, criteria, requester).orElseGet(() -> create(resource, requester));
    } finally {
      held.forEach(ReentrantLock::unlock);
    }
  }

  /** The key that serializes conditional creates: {@code Type?criteria}. */
  public static String conditionKey(String type, String criteria) {
    int q = criteria.indexOf('?');
    return type + "?" + (q < 0 ? criteria : criteria.substring(q + 1));
  }

  /** Locks the stripes of conditional-create keys, in a fixed order; before any resource lock. */
  public List<ReentrantLock> lockConditions(java.util.Collection<String> keys) {
    return lockStripes(conditionLocks, keys);
  }

  /**
   * Conditional create: returns the existing match instead of creating when there is one. The
   * criteria are the If-None-Exist search parameters, with or without a leading {@code Type?}.
   */
  public Optional<MethodOutcome> existingMatch(String type, String criteria, String requester) {
    String conditionalUrl = criteria.contains("?") ? criteria : type + "?" + criteria;
    List<IBaseResource> matches = matchConditional(conditionalUrl, requester);
    if (matches.size() > 1) {
      throw new PreconditionFailedException(
          "Conditional create matched " + matches.size() + " resources: " + conditionalUrl);
    }
    if (matches.isEmpty()) {
      return Optional.empty();
    }
    IBaseResource existing = matches.get(0);
    MethodOutcome outcome = new MethodOutcome(existing.getIdElement(), false);
    outcome.setResource(existing);
    outcome.setOperationOutcome(
        information("Conditional create matched " + existing.getIdElement().getValue()));
    return Optional.of(outcome);
  }

  /** Resolves a conditional URL ({@code Type?params}) to the resources it matches. */
  public List<IBaseResource> matchConditional(String conditionalUrl, String requester) {
    int q = conditionalUrl.indexOf('?');
    if (q <= 0) {
      throw new UnprocessableEntityException("Invalid conditional URL: " + conditionalUrl);
    }
    String type = conditionalUrl.substring(0, q);
    if (type.contains("/")) {
      type = type.substring(type.lastIndexOf('/') + 1);
    }
    Map<String, List<String>> params = QueryStrings.parse(conditionalUrl.substring(q + 1));
    return search(type, params, requester).matches();
  }

  /**
   * Update, or update-as-create when the id is new. A version in {@code id} (from If-Match) must be
   * the current one (412 otherwise).
   */
  public MethodOutcome update(IIdType id, IBaseResource resource, String requester) {
    String type = resource.fhirType();
    String idPart = id.getIdPart();
    if (resource.getIdElement().hasIdPart()
        && !idPart.equals(resource.getIdElement().getIdPart())) {
      throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
          "Resource id "
              + resource.getIdElement().getIdPart()
              + " does not match the URL id "
              + idPart);
    }
    ReentrantLock lock = lockFor(type, idPart);
    lock.lock();
    try {
      Optional<VersionMeta> current = index().current(type, idPart);
      if (id.hasVersionIdPart()) {
        long expected = id.getVersionIdPartAsLong();
        if (current.isEmpty() || current.get().version() != expected) {
          throw new PreconditionFailedException(
              "Version conflict: If-Match names version "
                  + expected
                  + " but the current version is "
                  + current.map(v -> Long.toString(v.version())).orElse("none"));
        }
      }
      long version = current.map(v -> v.version() + 1).orElse(1L);
      resource.setId(type + "/" + idPart);
      List<VersionMeta> metas = writeAll(List.of(Write.of(resource, version)), Set.of(), requester);
      return outcome(metas.get(0), resource, current.isEmpty());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes a resource (a tombstone version): 404 if it never existed, a no-op (200) if it is
   * already deleted.
   */
  public MethodOutcome delete(String type, String id, String requester) {
    ReentrantLock lock = lockFor(type, id);
    lock.lock();
    try {
      Optional<VersionMeta> current = index().current(type, id);
      if (current.isEmpty()) {
        throw new ResourceNotFoundException(type + "/" + id);
      }
      if (current.get().deleted()) {
        return new MethodOutcome(fhir.getVersion().newIdType().setValue(type + "/" + id));
      }
      List<VersionMeta> metas =
          writeAll(
              List.of(Write.deletion(type, id, current.get().version() + 1)), Set.of(), requester);
      MethodOutcome outcome =
          new MethodOutcome(
              fhir.getVersion().newIdType().setValue(metas.get(0).versionedReference()));
      outcome.setOperationOutcome(information("Deleted " + type + "/" + id));
      return outcome;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes versions atomically, the one way every path (create, update, delete, batch and
   * transaction entries) reaches the store: each guard (who may write, Consent state changes) sees
   * the whole batch first; its first refusal becomes the answer, and nothing of the batch is
   * written. {@code newPatients} are patient ids created in the same batch, so that resources of a
   * patient created by the same transaction are accepted.
   */
  public List<VersionMeta> writeAll(List<Write> writes, Set<String> newPatients, String requester) {
    for (WriteGuard guard : guards) {
      Errors.refuseUnless(guard.check(writes, requester));
    }
    List<String> patients = new ArrayList<>(writes.size());
    for (Write write : writes) {
      patients.add(patientOf(write, newPatients));
    }
    try {
      return store.write(writes, patients, requester);
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  private String patientOf(Write write, Set<String> newPatients) {
    if (!store.isClinical(write.type())) {
      return null;
    }
    if (write.isDeletion()) {
      return index().current(write.type(), write.id()).map(VersionMeta::patientId).orElse(null);
    }
    Optional<String> patient = store.patientOf(write.resource());
    if (patient.isEmpty()) {
      return null;
    }
    String pid = patient.get();
    if (!write.type().equals("Patient")
        && !index().isLive("Patient", pid)
        && !newPatients.contains(pid)) {
      throw new UnprocessableEntityException(
          "The resource references Patient/" + pid + ", which does not exist on this server");
    }
    return pid;
  }

  /** Reads the current version, or {@code version} when given. */
  public IBaseResource read(String type, String id, Long version, String requester) {
    Optional<VersionMeta> meta =
        version == null ? index().current(type, id) : index().version(type, id, version);
    if (meta.isEmpty()) {
      throw new ResourceNotFoundException(
          type + "/" + id + (version == null ? "" : "/_history/" + version) + " is not known");
    }
    if (meta.get().deleted()) {
      throw new ResourceGoneException(
          type + "/" + id + " was deleted (version " + meta.get().version() + ")");
    }
    String action = version == null ? "read" : "vread";
    try {
      // Served versions are logged from the answer (DisclosureInterceptor); refusals here.
      return open(meta.get(), requester);
    } catch (ForbiddenOperationException e) {
      audit.accessed(requester, meta.get(), action, e.getMessage());
      throw e;
    }
  }

  /** Opens a version the caller already found; 403 if the requester holds no key for it. */
  public IBaseResource open(VersionMeta meta, String requester) {
    try {
      return store.read(meta, requester);
    } catch (AccessDeniedException e) {
      throw new ForbiddenOperationException(e.getMessage());
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  /**
   * Runs a search: candidates from the index (a type-wide search narrowed by the value index), kept
   * if the requester can open them and they match. The matches are the store's shared instances:
   * read-only, copy before changing one. Every version opened here is handed to the value index,
   * which covers it if it doesn't know its values yet.
   */
  public SearchResult search(String type, Map<String, List<String>> params, String requester) {
    SearchQuery query = search.parse(type, params);
    List<VersionMeta> candidates = candidates(type, query, params);
    List<IBaseResource> matches = new ArrayList<>();
    for (VersionMeta meta : candidates) {
      openCandidate(meta, requester).filter(query::matches).ifPresent(matches::add);
    }
    query.sort().ifPresent(matches::sort);
    return new SearchResult(query, matches);
  }

  /**
   * A type-wide search of a clinical type that the value index narrows and whose answer needs no
   * count and no order (no {@code _sort}, {@code _summary=count}, {@code _total=accurate} or {@code
   * _count=0}), as a search whose pages open their own matches; empty otherwise (then {@link
   * #search}).
   */
  Optional<PagedSearch> searchByPage(
      String type, Map<String, List<String>> params, String requester) {
    SearchQuery query = search.parse(type, params);
    if (!store.isClinical(type)
        || !query.patientIds().isEmpty()
        || query.sort().isPresent()
        || query.summaryCount()
        || query.totalAccurate()
        || Integer.valueOf(0).equals(query.count())) {
      return Optional.empty();
    }
    return values
        .candidates(query)
        .map(candidates -> new PagedSearch(query, candidates, requester, this::openCandidate));
  }

  /** Opens a search candidate if the requester may, and lets the value index cover it. */
  private Optional<IBaseResource> openCandidate(VersionMeta meta, String requester) {
    if (!store.canRead(meta, requester)) {
      return Optional.empty();
    }
    Optional<IBaseResource> resource = openIfAllowed(meta, requester);
    resource.ifPresent(opened -> values.opened(meta, opened));
    return resource;
  }

  /**
   * Records in the patients' access logs that the requester was shown these versions outside a FHIR
   * answer (the SMART consent screen); what a FHIR answer holds is logged by the {@code
   * DisclosureInterceptor}.
   */
  public void served(String requester, List<VersionMeta> metas, String action) {
    if (!metas.isEmpty()) {
      audit.accessed(requester, metas, action);
    }
  }

  /** The shared (read-only) instance, or empty when a key or a consent is missing. */
  public Optional<IBaseResource> openIfAllowed(VersionMeta meta, String requester) {
    try {
      return Optional.of(store.readShared(meta, requester));
    } catch (AccessDeniedException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  private List<VersionMeta> candidates(
      String type, SearchQuery query, Map<String, List<String>> params) {
    List<String> identifier = params.get("identifier");
    if (!store.isClinical(type)
        && identifier != null
        && identifier.size() == 1
        && identifier.get(0).matches("[^|,]+\\|[^|,]+")) {
      List<VersionMeta> result = new ArrayList<>();
      for (String id : index().idsWithIdentifier(type, identifier.get(0))) {
        index().current(type, id).filter(v -> !v.deleted()).ifPresent(result::add);
      }
      return result;
    }
    Set<String> patientIds = query.patientIds();
    if (patientIds.isEmpty()) {
      return values.candidates(query).orElseGet(() -> index().currentOfType(type));
    }
    List<VersionMeta> result = new ArrayList<>();
    for (String pid : new TreeSet<>(patientIds)) {
      if (type.equals("Patient")) {
        index().current("Patient", pid).filter(v -> !v.deleted()).ifPresent(result::add);
      } else {
        result.addAll(index().currentOfPatient(type, pid));
      }
    }
    return result;
  }

  /**
   * Every live resource of the patient's compartment the requester can open, patient first; the
   * store's shared instances (read-only).
   */
  public List<IBaseResource> everything(String patientId, String requester) {
    VersionMeta patient =
        index()
            .current("Patient", patientId)
            .orElseThrow(
                () -> new ResourceNotFoundException("Patient/" + patientId + " is not known"));
    if (patient.deleted()) {
      throw new ResourceGoneException("Patient/" + patientId + " was deleted");
    }
    List<IBaseResource> result = new ArrayList<>();
    if (store.canRead(patient, requester)) {
      openIfAllowed(patient, requester).ifPresent(result::add);
    }
    for (VersionMeta meta : index().currentOfPatient(null, patientId)) {
      if (!meta.type().equals("Patient") && store.canRead(meta, requester)) {
        openIfAllowed(meta, requester).ifPresent(result::add);
      }
    }
    return result;
  }

  private ReentrantLock lockFor(String type, String id) {
    return locks[Math.floorMod((type + "/" + id).hashCode(), STRIPES)];
  }

  /** Locks the stripes of all the keys, in a fixed order, for a transaction. */
  public List<ReentrantLock> lockAll(Set<String> references) {
    return lockStripes(locks, references);
  }

  private static List<ReentrantLock> lockStripes(
      ReentrantLock[] array, java.util.Collection<String> keys) {
    TreeSet<Integer> stripes = new TreeSet<>();
    for (String key : keys) {
      stripes.add(Math.floorMod(key.hashCode(), STRIPES));
    }
    List<ReentrantLock> held = new ArrayList<>();
    for (int s : stripes) {
      array[s].lock();
      held.add(array[s]);
    }
    return held;
  }

  MethodOutcome outcome(VersionMeta meta, IBaseResource resource, boolean created) {
    IIdType id = fhir.getVersion().newIdType().setValue(meta.versionedReference());
    resource.setId(id);
    MethodOutcome outcome = new MethodOutcome(id, created);
    outcome.setResource(resource);
    outcome.setOperationOutcome(
        information((created ? "Created " : "Updated ") + meta.versionedReference()));
    return outcome;
  }

  /** The OperationOutcome returned for {@code Prefer: return=OperationOutcome}. */
  private static OperationOutcome information(String message) {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
        .setCode(OperationOutcome.IssueType.INFORMATIONAL)
        .setDiagnostics(message);
    return outcome;
  }

  /** Matches of a search, in result order, with the parsed query for paging and includes. */
  public record SearchResult(SearchQuery query, List<IBaseResource> matches) {}
}
