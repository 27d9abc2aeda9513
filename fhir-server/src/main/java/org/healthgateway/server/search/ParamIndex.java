package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The value index of one search parameter on one resource type: for every resource whose current
 * version has been <em>covered</em> (its values extracted from plaintext at hand), the keys of its
 * values (token, reference, string, uri: an inverted map key -> resource ordinals) or its date
 * ranges (a primitive array per resource, tested in one pass). Resources whose current version is
 * not covered are <em>dirty</em>: every narrowed search returns them as candidates to be opened and
 * matched, and covers them then. A new version makes its resource dirty; stale postings of an older
 * version are skipped because a posting counts only if the covered version is still the current one
 * and still holds the key. Thread-safe (one monitor; extraction runs outside it).
 */
final class ParamIndex {

  /** What one version yields: keys for keyed parameters, or [low, high) pairs for dates. */
  static final class Values {
    private final List<String> keys;
    private final long[] ranges;

    Values(List<String> keys, long[] ranges) {
      this.keys = keys;
      this.ranges = ranges;
    }

    List<String> keys() {
      return keys;
    }

    long[] ranges() {
      return ranges;
    }
  }

  private static final long NONE = -1;
  private static final int[] NO_KEYS = new int[0];

  private final String type;
  private final ParamPath path;
  private final boolean ranged;
  private final ResourceIndex resources;
  private final TypeOrdinals ordinals;
  private final BitSet dirty = new BitSet();
  private final NavigableMap<String, Integer> keyIds = new TreeMap<>();
  private final List<IntList> postings = new ArrayList<>();
  private long[] covered = new long[0];
  private int[][] keysOf = new int[0][];
  private long[][] rangesOf = new long[0][];
  private boolean seeded;

  ParamIndex(String type, ParamPath path, ResourceIndex resources, TypeOrdinals ordinals) {
    this.type = type;
    this.path = path;
    this.ranged =
        path.param().getParamType() == ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum.DATE;
    this.resources = resources;
    this.ordinals = ordinals;
  }

  String paramName() {
    return path.param().getName();
  }

  /** Marks the resource of a new version dirty: its values are no longer known. */
  synchronized void changed(VersionMeta meta) {
    dirty.set(ordinals.of(meta.id()));
  }

  /**
   * Extracts and records the values of a version whose plaintext is at hand, unless it is covered
   * already or no longer current. {@code mutable}: the instance may still change (a write), so its
   * values are not remembered by the path's cache.
   */
  void cover(VersionMeta meta, IBaseResource resource, boolean mutable) {
    if (isCovered(meta)) {
      return;
    }
    List<IBase> values = mutable ? path.extractOnce(resource) : path.extract(resource);
    apply(meta.id(), meta.ledgerIndex(), extract(values));
  }

  private Values extract(List<IBase> values) {
    if (ranged) {
      List<DateRange> ranges = DateRange.extract(values);
      long[] flat = new long[ranges.size() * 2];
      for (int i = 0; i < ranges.size(); i++) {
        flat[2 * i] = ranges.get(i).low();
        flat[2 * i + 1] = ranges.get(i).high();
      }
      return new Values(List.of(), flat);
    }
    Set<String> keys = new LinkedHashSet<>();
    switch (path.param().getParamType()) {
      case TOKEN -> TokenCriterion.valueKeys(values, keys);
      case REFERENCE -> ReferenceCriterion.valueKeys(values, keys);
      case STRING -> StringCriterion.valueKeys(values, keys);
      case URI -> UriCriterion.valueKeys(values, keys);
      default -> throw new IllegalStateException("not indexable: " + path.param().getParamType());
    }
    return new Values(List.copyOf(keys), null);
  }

  private synchronized boolean isCovered(VersionMeta meta) {
    seedOnce();
    int ordinal = ordinals.find(meta.id());
    return ordinal >= 0 && ordinal < covered.length && covered[ordinal] == meta.ledgerIndex();
  }

  /** Records the values of the version at {@code ledgerIndex} if it is the resource's current. */
  synchronized void apply(String id, long ledgerIndex, Values values) {
    seedOnce();
    Optional<VersionMeta> current = resources.current(type, id);
    if (current.isEmpty() || current.get().ledgerIndex() != ledgerIndex) {
      return;
    }
    int ordinal = ordinals.of(current.get().id());
    grow(ordinal + 1);
    if (ranged) {
      rangesOf[ordinal] = values.ranges();
    } else {
      int[] old = keysOf[ordinal] == null ? NO_KEYS : keysOf[ordinal];
      int[] now = new int[values.keys().size()];
      for (int i = 0; i < now.length; i++) {
        now[i] = keyId(values.keys().get(i));
        if (!contains(old, now[i])) {
          postings.get(now[i]).add(ordinal);
        }
      }
      keysOf[ordinal] = now;
    }
    covered[ordinal] = ledgerIndex;
    dirty.clear(ordinal);
  }

  /**
   * The current live versions that may match: covered ones whose values satisfy the criterion, and
   * every dirty one; in ordinal order.
   */
  synchronized List<VersionMeta> candidates(Criterion criterion) {
    seedOnce();
    BitSet hits = ranged ? rangeHits((DateCriterion) criterion) : keyHits(criterion);
    hits.or(dirty);
    List<VersionMeta> result = new ArrayList<>(hits.cardinality());
    for (int o = hits.nextSetBit(0); o >= 0; o = hits.nextSetBit(o + 1)) {
      Optional<VersionMeta> current = resources.current(type, ordinals.id(o));
      if (current.isEmpty() || current.get().deleted()) {
        if (dirty.get(o)) {
          forget(o, current.map(VersionMeta::ledgerIndex).orElse(NONE));
        }
      } else if (dirty.get(o)
          || (o < covered.length && covered[o] == current.get().ledgerIndex())) {
        result.add(current.get());
      }
    }
    return result;
  }

  private BitSet keyHits(Criterion criterion) {
    BitSet hits = new BitSet();
    for (IndexKey key : criterion.indexKeys().orElseThrow()) {
      if (key.prefix()) {
        keyIds
            .subMap(key.key(), true, key.key() + Character.MAX_VALUE, false)
            .values()
            .forEach(id -> postingHits(id, hits));
      } else {
        Integer id = keyIds.get(key.key());
        if (id != null) {
          postingHits(id, hits);
        }
      }
    }
    return hits;
  }

  private void postingHits(int keyId, BitSet hits) {
    IntList posting = postings.get(keyId);
    for (int i = 0; i < posting.size; i++) {
      int o = posting.values[i];
      if (o < keysOf.length && keysOf[o] != null && contains(keysOf[o], keyId)) {
        hits.set(o);
      }
    }
  }

  private BitSet rangeHits(DateCriterion criterion) {
    BitSet hits = new BitSet();
    for (int o = 0; o < rangesOf.length; o++) {
      if (rangesOf[o] != null && criterion.matchesAny(rangesOf[o])) {
        hits.set(o);
      }
    }
    return hits;
  }

  /** A deleted (or vanished) resource: covered by its tombstone, no values. */
  private void forget(int ordinal, long tombstone) {
    grow(ordinal + 1);
    if (ranged) {
      rangesOf[ordinal] = null;
    } else {
      keysOf[ordinal] = NO_KEYS;
    }
    covered[ordinal] = tombstone;
    dirty.clear(ordinal);
  }

  private void seedOnce() {
    if (!seeded) {
      seeded = true;
      for (VersionMeta meta : resources.currentOfType(type)) {
        dirty.set(ordinals.of(meta.id()));
      }
    }
  }

  /** Each covered resource's current values, for a snapshot: (id, ledger index, values). */
  synchronized void forEach(Consumer<ValueIndex.Entry> sink) {
    String[] byId = new String[keyIds.size()];
    keyIds.forEach((name, id) -> byId[id] = name);
    for (int o = 0; o < covered.length; o++) {
      if (covered[o] == NONE || dirty.get(o)) {
        continue;
      }
      List<String> keys = new ArrayList<>();
      if (!ranged && o < keysOf.length && keysOf[o] != null) {
        for (int id : keysOf[o]) {
          keys.add(byId[id]);
        }
      }
      List<Long> ranges = new ArrayList<>();
      if (ranged && rangesOf[o] != null) {
        Arrays.stream(rangesOf[o]).forEach(ranges::add);
      }
      sink.accept(
          new ValueIndex.Entry(
              type,
              paramName(),
              ordinals.id(o),
              covered[o],
              List.copyOf(keys),
              List.copyOf(ranges)));
    }
  }

  /** Covered resources whose covered version is still current, and the dirty ones. */
  synchronized int[] coverage() {
    seedOnce();
    int coveredCount = 0;
    for (int o = 0; o < covered.length; o++) {
      if (covered[o] != NONE && !dirty.get(o)) {
        coveredCount++;
      }
    }
    return new int[] {coveredCount, dirty.cardinality()};
  }

  /** Heap estimate of this parameter's structures, in bytes. */
  synchronized long approximateBytes() {
    long bytes = covered.length * (8L + 4) + dirty.size() / 8;
    for (int[] keys : keysOf) {
      bytes += keys == null || keys.length == 0 ? 0 : 16 + 4L * keys.length;
    }
    for (long[] ranges : rangesOf) {
      bytes += ranges == null ? 0 : 16 + 8L * ranges.length;
    }
    for (Map.Entry<String, Integer> key : keyIds.entrySet()) {
      bytes +=
          40
              + 40
              + 2L * key.getKey().length()
              + 32
              + 4L * postings.get(key.getValue()).values.length;
    }
    return bytes;
  }

  private int keyId(String key) {
    Integer known = keyIds.get(key);
    if (known != null) {
      return known;
    }
    int id = postings.size();
    keyIds.put(key, id);
    postings.add(new IntList());
    return id;
  }

  private void grow(int size) {
    if (size <= covered.length) {
      return;
    }
    int capacity = Math.max(size, covered.length + (covered.length >> 1) + 16);
    int old = covered.length;
    covered = Arrays.copyOf(covered, capacity);
    Arrays.fill(covered, old, capacity, NONE);
    if (ranged) {
      rangesOf = Arrays.copyOf(rangesOf, capacity);
    } else {
      keysOf = Arrays.copyOf(keysOf, capacity);
    }
  }

  private static boolean contains(int[] array, int value) {
    for (int v : array) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  /** A growable int array: one posting list. */
  private static final class IntList {
    int[] values = new int[2];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }
}
