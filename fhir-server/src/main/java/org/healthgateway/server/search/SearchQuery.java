package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;

/** A parsed search: the criteria to match plus the result parameters. Immutable, thread-safe. */
public final class SearchQuery {

  private final String resourceType;
  private final List<Clause> clauses;
  private final Comparator<IBaseResource> sort;
  private final Integer count;
  private final boolean summaryCount;
  private final boolean totalAccurate;
  private final List<Include> includes;
  private final List<Include> revIncludes;
  private final Set<String> patientIds;
  private final SearchEngine engine;

  SearchQuery(
      String resourceType,
      List<Clause> clauses,
      Comparator<IBaseResource> sort,
      Integer count,
      boolean summaryCount,
      boolean totalAccurate,
      List<Include> includes,
      List<Include> revIncludes,
      Set<String> patientIds,
      SearchEngine engine) {
    this.resourceType = resourceType;
    this.clauses = List.copyOf(clauses);
    this.sort = sort;
    this.count = count;
    this.summaryCount = summaryCount;
    this.totalAccurate = totalAccurate;
    this.includes = List.copyOf(includes);
    this.revIncludes = List.copyOf(revIncludes);
    this.patientIds = Set.copyOf(patientIds);
    this.engine = engine;
  }

  /** The searched resource type. */
  public String resourceType() {
    return resourceType;
  }

  /** True if the resource is of the searched type and satisfies every parameter (AND). */
  public boolean matches(IBaseResource resource) {
    if (!resourceType.equals(engine.context().getResourceType(resource))) {
      return false;
    }
    for (Clause clause : clauses) {
      if (!clause.matches(resource)) {
        return false;
      }
    }
    return true;
  }

  /** The criteria, ANDed, in request order. */
  List<Clause> clauses() {
    return clauses;
  }

  /** The {@code _sort} order; resources without a value sort last. Empty without _sort. */
  public Optional<Comparator<IBaseResource>> sort() {
    return Optional.ofNullable(sort);
  }

  /** {@code _count}, capped at {@link SearchEngine#MAX_COUNT}, or null if absent. */
  public Integer count() {
    return count;
  }

  /** True for {@code _summary=count}. */
  public boolean summaryCount() {
    return summaryCount;
  }

  /** True for {@code _total=accurate}: the answer must count every match. */
  public boolean totalAccurate() {
    return totalAccurate;
  }

  /** The {@code _include} parameters, in request order. */
  public List<Include> includes() {
    return includes;
  }

  /** The {@code _revinclude} parameters, in request order. */
  public List<Include> revIncludes() {
    return revIncludes;
  }

  /**
   * Patient ids named by {@code patient}, {@code subject} (Patient references) or, on Patient,
   * {@code _id}, to narrow candidates before matching; empty = no restriction. A superset: {@link
   * #matches} still decides.
   */
  public Set<String> patientIds() {
    return patientIds;
  }

  /**
   * The references ({@code Type/id}, no base, no version) that an include pulls in from a resource.
   * Untyped references ({@code urn:}, bare ids) are typed only when the parameter has one target.
   */
  public List<String> referencedIds(IBaseResource resource, Include include) {
    List<String> ids = new ArrayList<>();
    if (!include.sourceType().equals(engine.context().getResourceType(resource))) {
      return ids;
    }
    ParamPath path = engine.paramPath(include.sourceType(), include.paramName());
    Set<String> targets = path.param().getTargets();
    for (IBase value : path.extract(resource)) {
      if (!(value instanceof IBaseReference reference)) {
        continue;
      }
      IIdType typed = References.typedId(reference.getReferenceElement());
      String type = typed != null ? typed.getResourceType() : onlyTarget(targets);
      String id =
          typed != null ? typed.getIdPart() : References.idPart(reference.getReferenceElement());
      if (type == null
          || id == null
          || reference.getReferenceElement().getValue().startsWith("urn:")) {
        continue;
      }
      if (include.targetType() == null || include.targetType().equals(type)) {
        String ref = type + "/" + id;
        if (!ids.contains(ref)) {
          ids.add(ref);
        }
      }
    }
    return ids;
  }

  private static String onlyTarget(Set<String> targets) {
    return targets != null && targets.size() == 1 ? targets.iterator().next() : null;
  }
}
