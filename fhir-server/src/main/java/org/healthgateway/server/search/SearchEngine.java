package org.healthgateway.server.search;

import static org.healthgateway.server.search.SearchValues.invalid;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.fhirpath.IFhirPath;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates FHIR R4 search parameters over in-memory resources, from HAPI's built-in
 * search-parameter definitions ({@link RuntimeResourceDefinition#getSearchParams()}) and their
 * FHIRPath expressions. Thread-safe; build one per FhirContext.
 */
public final class SearchEngine {

  /** Largest {@code _count} a query reports; larger requests are capped to it. */
  public static final int MAX_COUNT = 1000;

  /** Parameters that shape the result rather than select resources; never matched. */
  static final Set<String> IGNORED_RESULT_PARAMS =
      Set.of(
          "_elements",
          "_format",
          "_pretty",
          "_getpages",
          "_getpagesoffset",
          "_bundletype",
          "_getpagesize");

  /** Common parameters HAPI defines that this engine does not evaluate. */
  static final Set<String> UNSUPPORTED_PARAMS =
      Set.of(
          "_has",
          "_text",
          "_content",
          "_list",
          "_query",
          "_filter",
          "_contained",
          "_containedType",
          "_type",
          "_security",
          "_source");

  private final FhirContext ctx;
  private final CompletableFuture<IFhirPath> fhirPath;
  private final ClauseFactory clauses;
  private final Map<String, ParamPath> paths = new ConcurrentHashMap<>();

  /** An engine over the context's resource types; the context must be R4. */
  public SearchEngine(FhirContext ctx) {
    this(ctx, CompletableFuture.completedFuture(null));
  }

  /**
   * An engine whose FHIRPath engine is made once {@code structuresLoaded} completes: HAPI's
   * FHIRPath engine walks every StructureDefinition of the context's validation support when it is
   * made (seconds at start-up), so it is made on another thread while the server starts, after
   * whoever loads them, and the first search waits for it if it comes sooner.
   */
  public SearchEngine(FhirContext ctx, CompletableFuture<?> structuresLoaded) {
    this.ctx = ctx;
    this.fhirPath = structuresLoaded.thenApplyAsync(loaded -> ctx.newFhirPath());
    this.clauses = new ClauseFactory(ctx.getResourceTypes());
  }

  /**
   * Parses raw query parameters: names may carry a {@code :modifier}, values are comma-separated
   * OR-lists, repeated parameters are ANDed.
   *
   * @throws ca.uhn.fhir.rest.server.exceptions.InvalidRequestException for an unknown resource
   *     type, an unknown or unsupported parameter, modifier or prefix, or a malformed value
   */
  public SearchQuery parse(String resourceType, Map<String, List<String>> rawParams) {
    if (resourceType == null || !ctx.getResourceTypes().contains(resourceType)) {
      throw invalid("Unknown resource type: '" + resourceType + "'");
    }
    QueryBuilder builder = new QueryBuilder(resourceType, this);
    for (Map.Entry<String, List<String>> entry : rawParams.entrySet()) {
      for (String value : entry.getValue()) {
        if (value != null) {
          add(builder, resourceType, entry.getKey(), value);
        }
      }
    }
    return builder.build();
  }

  private void add(QueryBuilder builder, String resourceType, String key, String value) {
    int colon = key.indexOf(':');
    String name = colon < 0 ? key : key.substring(0, colon);
    String modifier = colon < 0 ? null : key.substring(colon + 1);
    if (builder.addResultParam(name, modifier, value) || IGNORED_RESULT_PARAMS.contains(name)) {
      return;
    }
    if (UNSUPPORTED_PARAMS.contains(name)) {
      throw invalid("Search parameter '" + name + "' is not supported");
    }
    if (name.contains(".")) {
      throw invalid("Chained search parameters are not supported: '" + key + "'");
    }
    RuntimeSearchParam param = searchParam(resourceType, name);
    if (value.isEmpty()) {
      return;
    }
    ParamPath path = paramPath(resourceType, name);
    Criterion criterion = clauses.criterion(param, modifier, SearchValues.splitOr(value));
    builder.addClause(new Clause(path, criterion), modifier, SearchValues.splitOr(value));
  }

  /** The definition of a parameter of a type, or a 400 naming the valid ones. */
  RuntimeSearchParam searchParam(String resourceType, String name) {
    RuntimeResourceDefinition definition = ctx.getResourceDefinition(resourceType);
    RuntimeSearchParam param = definition.getSearchParam(name);
    if (param == null) {
      Set<String> known = new TreeSet<>();
      definition.getSearchParams().forEach(p -> known.add(p.getName()));
      throw invalid(
          "Unknown search parameter '"
              + name
              + "' for resource type '"
              + resourceType
              + "'. Valid parameters: "
              + known);
    }
    return param;
  }

  /** The reference parameter an include names, or a 400. */
  RuntimeSearchParam referenceParam(String resourceType, String name) {
    RuntimeSearchParam param = searchParam(resourceType, name);
    if (param.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
      throw invalid("Search parameter '" + resourceType + ":" + name + "' is not a reference");
    }
    return param;
  }

  ParamPath paramPath(String resourceType, String name) {
    return paths.computeIfAbsent(
        resourceType + "." + name,
        key -> ParamPath.compile(searchParam(resourceType, name), resourceType, fhirPath.join()));
  }

  FhirContext context() {
    return ctx;
  }

  boolean isResourceType(String type) {
    return ctx.getResourceTypes().contains(type);
  }
}
