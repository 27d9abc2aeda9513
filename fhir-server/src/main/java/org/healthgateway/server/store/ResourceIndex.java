package org.healthgateway.server.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.healthgateway.keys.envelope.VersionMeta;

/**
 * In-memory index of every resource version on the ledger, rebuilt from the ledger at start-up.
 * Holds only metadata that is in clear text on the ledger anyway.
 */
public final class ResourceIndex {
  private final Map<String, Map<String, List<VersionMeta>>> byType = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byPatient = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byIdentifier = new ConcurrentHashMap<>();
  private final List<Consumer<VersionMeta>> listeners = new CopyOnWriteArrayList<>();

  /**
   * Registers a callback told of every version once {@link #add} has made it the current one, on
   * the adding thread, from replay at start-up as from writes; it must be cheap and must not throw.
   */
  public void addListener(Consumer<VersionMeta> listener) {
    listeners.add(listener);
  }

  /**
   * Records the {@code system|value} identifiers of a public (directory) resource, so that
   * conditional creates and references find it without a scan. Clinical identifiers are never
   * indexed: they exist only inside ciphertext.
   */
  public void addIdentifiers(String type, String id, Collection<String> tokens) {
    for (String token : tokens) {
      byIdentifier.computeIfAbsent(type + "|" + token, k -> ConcurrentHashMap.newKeySet()).add(id);
    }
  }

  /** Ids of directory resources of the type that carry (or carried) the identifier. */
  public Set<String> idsWithIdentifier(String type, String systemAndValue) {
    return byIdentifier.getOrDefault(type + "|" + systemAndValue, Set.of());
  }

  /** Records a new version (called after the ledger made it durable, in version order). */
  public void add(VersionMeta meta) {
    byType
        .computeIfAbsent(meta.type(), t -> new ConcurrentHashMap<>())
        .computeIfAbsent(meta.id(), i -> new CopyOnWriteArrayList<>())
        .add(meta);
    if (meta.patientId() != null) {
      byPatient
          .computeIfAbsent(meta.patientId(), p -> ConcurrentHashMap.newKeySet())
          .add(meta.type() + "/" + meta.id());
    }
    for (Consumer<VersionMeta> listener : listeners) {
      listener.accept(meta);
    }
  }

  /** All versions of a resource, oldest first; empty if it never existed. */
  public List<VersionMeta> history(String type, String id) {
    Map<String, List<VersionMeta>> ofType = byType.get(type);
    if (ofType == null) {
      return List.of();
    }
    List<VersionMeta> versions = ofType.get(id);
    return versions == null ? List.of() : versions;
  }

  /** The newest version, deleted or not. */
  public Optional<VersionMeta> current(String type, String id) {
    List<VersionMeta> versions = history(type, id);
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /** True if the resource exists and its newest version is not a deletion. */
  public boolean isLive(String type, String id) {
    return current(type, id).filter(v -> !v.deleted()).isPresent();
  }

  public Optional<VersionMeta> version(String type, String id, long version) {
    return history(type, id).stream().filter(v -> v.version() == version).findFirst();
  }

  /** Newest live version of every resource of the type. */
  public List<VersionMeta> currentOfType(String type) {
    Map<String, List<VersionMeta>> ofType = byType.get(type);
    if (ofType == null) {
      return List.of();
    }
    return live(ofType.values());
  }

  /** Newest live version of every resource of the type in the patient's compartment. */
  public List<VersionMeta> currentOfPatient(String type, String patientId) {
    Set<String> refs = byPatient.getOrDefault(patientId, Set.of());
    List<VersionMeta> result = new ArrayList<>();
    for (String ref : refs) {
      int slash = ref.indexOf('/');
      if (type == null || ref.substring(0, slash).equals(type)) {
        current(ref.substring(0, slash), ref.substring(slash + 1))
            .filter(v -> !v.deleted() && patientId.equals(v.patientId()))
            .ifPresent(result::add);
      }
    }
    return result;
  }

  /** Every version of every resource of the type (type history). */
  public List<VersionMeta> allVersionsOfType(String type) {
    Map<String, List<VersionMeta>> ofType = byType.get(type);
    List<VersionMeta> result = new ArrayList<>();
    if (ofType != null) {
      ofType.values().forEach(result::addAll);
    }
    return result;
  }

  /** Calls {@code visitor} with the versions of every resource, oldest first (for snapshots). */
  public void forEachHistory(Consumer<List<VersionMeta>> visitor) {
    byType.values().forEach(ofType -> ofType.values().forEach(visitor));
  }

  /** Calls {@code visitor} with every identifier key and the ids that carry it. */
  public void forEachIdentifier(BiConsumer<String, Set<String>> visitor) {
    byIdentifier.forEach(visitor);
  }

  /** Puts back identifiers {@link #forEachIdentifier} gave, from a snapshot. */
  void restoreIdentifiers(String key, Collection<String> ids) {
    byIdentifier.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).addAll(ids);
  }

  public long countVersions() {
    return byType.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
  }

  private static List<VersionMeta> live(Collection<List<VersionMeta>> histories) {
    List<VersionMeta> result = new ArrayList<>(histories.size());
    for (List<VersionMeta> versions : histories) {
      VersionMeta newest = versions.get(versions.size() - 1);
      if (!newest.deleted()) {
        result.add(newest);
      }
    }
    return result;
  }
}
