package org.healthgateway.server.search;

import static org.healthgateway.server.search.SearchValues.invalid;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** Collects the clauses and result parameters of one request into a {@link SearchQuery}. */
final class QueryBuilder {

  private static final Set<String> SUMMARY_VALUES =
      Set.of("true", "false", "text", "data", "count");
  private static final Set<String> TOTAL_VALUES = Set.of("none", "estimate", "accurate");

  private final String resourceType;
  private final SearchEngine engine;
  private final List<Clause> clauses = new ArrayList<>();
  private final List<Include> includes = new ArrayList<>();
  private final List<Include> revIncludes = new ArrayList<>();
  private Comparator<IBaseResource> sort;
  private Integer count;
  private boolean summaryCount;
  private boolean totalAccurate;
  private Set<String> patientIds;

  QueryBuilder(String resourceType, SearchEngine engine) {
    this.resourceType = resourceType;
    this.engine = engine;
  }

  /** Handles a result parameter; false if the name is not one. */
  boolean addResultParam(String name, String modifier, String value) {
    switch (name) {
      case "_count" -> count = SearchValues.parseCount(value, SearchEngine.MAX_COUNT);
      case "_sort" -> sort = sortOrder(value);
      case "_include" -> includes.add(include(value, modifier));
      case "_revinclude" -> revIncludes.add(include(value, modifier));
      case "_summary" -> summaryCount = checked(name, value, SUMMARY_VALUES).equals("count");
      case "_total" -> totalAccurate = checked(name, value, TOTAL_VALUES).equals("accurate");
      default -> {
        return false;
      }
    }
    return true;
  }

  void addClause(Clause clause, String modifier, List<String> values) {
    clauses.add(clause);
    Set<String> ids = patientIds(clause.path().param(), modifier, values);
    if (ids != null) {
      if (patientIds == null) {
        patientIds = new HashSet<>(ids);
      } else {
        patientIds.retainAll(ids);
      }
    }
  }

  SearchQuery build() {
    return new SearchQuery(
        resourceType,
        clauses,
        sort,
        count,
        summaryCount,
        totalAccurate,
        includes,
        revIncludes,
        patientIds == null ? Set.of() : patientIds,
        engine);
  }

  /** The patients a clause restricts to, or null if it can't restrict (a non-Patient value). */
  private Set<String> patientIds(RuntimeSearchParam param, String modifier, List<String> values) {
    String name = param.getName();
    boolean idOfPatient = name.equals("_id") && resourceType.equals("Patient") && modifier == null;
    boolean patientRef =
        (name.equals("patient") || name.equals("subject"))
            && param.getParamType() == RestSearchParameterTypeEnum.REFERENCE
            && (modifier == null || modifier.equals("Patient"));
    if (!idOfPatient && !patientRef) {
      return null;
    }
    boolean onlyPatients =
        name.equals("patient")
            || "Patient".equals(modifier)
            || param.getTargets().equals(Set.of("Patient"));
    Set<String> ids = new HashSet<>();
    for (String value : values) {
      if (idOfPatient) {
        ids.add(value);
        continue;
      }
      ReferenceCriterion.Target target = ReferenceCriterion.parse(value, null);
      boolean isPatient =
          "Patient".equals(target.type()) || (target.type() == null && onlyPatients);
      if (!isPatient || target.id() == null) {
        return null;
      }
      ids.add(target.id());
    }
    return ids;
  }

  private Comparator<IBaseResource> sortOrder(String value) {
    Comparator<IBaseResource> order = null;
    for (String key : SearchValues.splitOr(value)) {
      boolean descending = key.startsWith("-");
      String name = descending ? key.substring(1) : key;
      RuntimeSearchParam param = engine.searchParam(resourceType, name);
      if (param.getParamType() != RestSearchParameterTypeEnum.DATE) {
        throw invalid("Sorting by '" + name + "' is not supported (only date parameters)");
      }
      ParamPath path = engine.paramPath(resourceType, name);
      Function<IBaseResource, Long> sortKey =
          resource ->
              DateRange.extract(path.extract(resource)).stream()
                  .map(DateRange::low)
                  .min(Long::compare)
                  .orElse(null);
      Comparator<Long> direction =
          descending ? Comparator.<Long>reverseOrder() : Comparator.<Long>naturalOrder();
      Comparator<IBaseResource> next =
          Comparator.comparing(sortKey, Comparator.nullsLast(direction));
      order = order == null ? next : order.thenComparing(next);
    }
    return order;
  }

  private Include include(String value, String modifier) {
    boolean iterate = "iterate".equals(modifier) || "recurse".equals(modifier);
    if (modifier != null && !iterate) {
      throw invalid("Modifier ':" + modifier + "' is not supported for _include/_revinclude");
    }
    String[] parts = value.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || value.equals("*")) {
      throw invalid("Invalid include '" + value + "' (expected Type:parameter[:targetType])");
    }
    if (!engine.isResourceType(parts[0])) {
      throw invalid("Invalid include '" + value + "': unknown resource type '" + parts[0] + "'");
    }
    RuntimeSearchParam param = engine.referenceParam(parts[0], parts[1]);
    String target = parts.length == 3 ? parts[2] : null;
    if (target != null
        && (!engine.isResourceType(target)
            || (param.hasTargets() && !param.getTargets().contains(target)))) {
      throw invalid("Invalid include '" + value + "': '" + target + "' is not a target type");
    }
    return new Include(parts[0], parts[1], target, iterate);
  }

  private static String checked(String name, String value, Set<String> allowed) {
    if (!allowed.contains(value)) {
      throw invalid("Invalid value for " + name + ": '" + value + "' (allowed: " + allowed + ")");
    }
    return value;
  }
}
