package org.healthgateway.server.search;

import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * An in-memory index of search-parameter values that narrows a type-wide search to the resources
 * that can match, instead of opening every resource of the type. It only ever narrows: callers
 * still open each candidate as the requester and match it, so what a requester sees and how many
 * matches are counted are decided by the keys they hold, never by the index.
 *
 * <p>Values exist only in plaintext, which the node can open only with a requester's key, so the
 * index is filled lazily: a (type, parameter) pair is indexed from its first narrowable search on;
 * a version is covered when a search opens it (for any requester) or when it is written. Until its
 * current version is covered, a resource is a candidate of every narrowed search.
 */
public final class ValueIndex {

  /**
   * One covered resource of one parameter, as {@link #forEach} hands it to a snapshot.
   *
   * @param ledgerIndex the covered version; restored only while it is still the current one
   * @param keys the value keys of a token, reference, string or uri parameter
   * @param ranges a date parameter's {@code [low, high)} pairs, flat, in epoch milliseconds
   */
  public record Entry(
      String type,
      String param,
      String id,
      long ledgerIndex,
      List<String> keys,
      List<Long> ranges) {}

  private final SearchEngine engine;
  private final ResourceIndex resources;
  private final Map<String, TypeOrdinals> ordinals = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ParamIndex>> byType = new ConcurrentHashMap<>();

  private ValueIndex(SearchEngine engine, ResourceIndex resources) {
    this.engine = engine;
    this.resources = resources;
  }

  /** An empty index over the resource index's versions, told of every new version by it. */
  public static ValueIndex create(SearchEngine engine, ResourceIndex resources) {
    ValueIndex index = new ValueIndex(engine, resources);
    resources.addListener(index::versionAdded);
    return index;
  }

  /**
   * The candidates of a search over every resource of its type, narrowed by the first clause the
   * index can answer; empty if none can (the caller then takes every current version).
   */
  public Optional<List<VersionMeta>> candidates(SearchQuery query) {
    for (Clause clause : query.clauses()) {
      if (isNarrowing(clause)) {
        ParamIndex index = paramIndex(query.resourceType(), clause.path());
        return Optional.of(index.candidates(clause.criterion()));
      }
    }
    return Optional.empty();
  }

  private static boolean isNarrowing(Clause clause) {
    RestSearchParameterTypeEnum type = clause.path().param().getParamType();
    if (clause.path().param().getName().startsWith("_")) {
      return false;
    }
    if (type == RestSearchParameterTypeEnum.DATE) {
      return clause.criterion() instanceof DateCriterion;
    }
    return (type == RestSearchParameterTypeEnum.TOKEN
            || type == RestSearchParameterTypeEnum.REFERENCE
            || type == RestSearchParameterTypeEnum.STRING
            || type == RestSearchParameterTypeEnum.URI)
        && clause.criterion().indexKeys().isPresent();
  }

  /** Covers a version just opened by a search: its plaintext, shared and read-only. */
  public void opened(VersionMeta meta, IBaseResource resource) {
    cover(meta, resource, false);
  }

  /**
   * Covers versions just written, with the writer's plaintext; deletions are left to the resource
   * index's notice.
   */
  public void written(List<VersionMeta> metas, List<IBaseResource> resources) {
    for (int i = 0; i < metas.size(); i++) {
      if (!metas.get(i).deleted() && resources.get(i) != null) {
        cover(metas.get(i), resources.get(i), true);
      }
    }
  }

  private void cover(VersionMeta meta, IBaseResource resource, boolean mutable) {
    Map<String, ParamIndex> params = byType.get(meta.type());
    if (params != null) {
      for (ParamIndex index : params.values()) {
        index.cover(meta, resource, mutable);
      }
    }
  }

  private void versionAdded(VersionMeta meta) {
    Map<String, ParamIndex> params = byType.get(meta.type());
    if (params != null) {
      params.values().forEach(index -> index.changed(meta));
    }
  }

  private ParamIndex paramIndex(String type, ParamPath path) {
    return byType
        .computeIfAbsent(type, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            path.param().getName(),
            name ->
                new ParamIndex(
                    type,
                    path,
                    resources,
                    ordinals.computeIfAbsent(type, t -> new TypeOrdinals())));
  }

  /** Hands every covered resource of every indexed parameter to the sink (for a snapshot). */
  public void forEach(Consumer<Entry> sink) {
    byType.values().forEach(params -> params.values().forEach(index -> index.forEach(sink)));
  }

  /**
   * Restores an entry {@link #forEach} produced; ignored if its version is no longer current (the
   * resource then stays a candidate until it is opened again).
   */
  public void restore(Entry entry) {
    ParamIndex index = paramIndex(entry.type(), engine.paramPath(entry.type(), entry.param()));
    long[] ranges = entry.ranges().stream().mapToLong(Long::longValue).toArray();
    index.apply(entry.id(), entry.ledgerIndex(), new ParamIndex.Values(entry.keys(), ranges));
  }

  /** Figures for the README and metrics: indexed parameters, covered and dirty resources, bytes. */
  public Stats stats() {
    long coveredCount = 0;
    long dirtyCount = 0;
    long bytes = 0;
    List<String> params = new ArrayList<>();
    for (Map.Entry<String, Map<String, ParamIndex>> type : byType.entrySet()) {
      for (ParamIndex index : type.getValue().values()) {
        int[] coverage = index.coverage();
        coveredCount += coverage[0];
        dirtyCount += coverage[1];
        bytes += index.approximateBytes();
        params.add(type.getKey() + "." + index.paramName());
      }
    }
    for (TypeOrdinals typeOrdinals : ordinals.values()) {
      bytes += typeOrdinals.approximateBytes();
    }
    return new Stats(List.copyOf(params), coveredCount, dirtyCount, bytes);
  }

  /**
   * What the index holds.
   *
   * @param covered (resource, parameter) pairs whose current version's values are indexed
   * @param dirty pairs still to be opened and covered
   * @param approximateBytes the heap the index's own structures take (estimate)
   */
  public record Stats(List<String> params, long covered, long dirty, long approximateBytes) {}
}
