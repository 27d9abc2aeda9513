package org.healthgateway.server.search;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.fhirpath.IFhirPath;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

/**
 * The compiled FHIRPath expressions of one search parameter on one resource type.
 *
 * <p>A trailing {@code .where(resolve() is Type)} can't be evaluated without loading the target, so
 * it is cut off and replaced by a check of the reference's own type: a reference counts only if its
 * text names that type ({@code Patient/1} or a URL ending so).
 */
final class ParamPath {

  private static final int MAX_REMEMBERED = 100_000;
  private static final Pattern RESOLVE_IS =
      Pattern.compile("^(.*)\\.where\\(\\s*resolve\\(\\)\\s+is\\s+([A-Za-z]+)\\s*\\)$");

  private final RuntimeSearchParam param;
  private final IFhirPath fhirPath;
  private final List<Expression> expressions;
  // Values already extracted, by resource instance (identity, weakly held): searches run over the
  // store's shared, read-only instances, so a patient's second search finds its values here
  // instead of evaluating FHIRPath again; an entry goes when its instance leaves the store's cache.
  private final Cache<IBaseResource, List<IBase>> extracted =
      Caffeine.newBuilder().weakKeys().maximumSize(MAX_REMEMBERED).build();

  private ParamPath(RuntimeSearchParam param, IFhirPath fhirPath, List<Expression> expressions) {
    this.param = param;
    this.fhirPath = fhirPath;
    this.expressions = expressions;
  }

  static ParamPath compile(RuntimeSearchParam param, String resourceType, IFhirPath fhirPath) {
    List<Expression> expressions = new ArrayList<>();
    for (String raw : param.getPathsSplitForResourceType(resourceType)) {
      String path = raw.trim();
      String requiredType = null;
      Matcher matcher = RESOLVE_IS.matcher(path);
      if (matcher.matches()) {
        path = matcher.group(1);
        requiredType = matcher.group(2);
      }
      try {
        expressions.add(new Expression(fhirPath.parse(path), requiredType));
      } catch (Exception e) {
        throw new IllegalStateException("Cannot parse path of " + param.getName() + ": " + path, e);
      }
    }
    return new ParamPath(param, fhirPath, List.copyOf(expressions));
  }

  RuntimeSearchParam param() {
    return param;
  }

  /**
   * Every value the parameter indexes on the resource; {@code _id} yields the id as an IdType. The
   * resource must not change afterwards (the values are remembered for it).
   */
  List<IBase> extract(IBaseResource resource) {
    return extracted.get(resource, this::evaluate);
  }

  /** Like {@link #extract} but not remembered: for an instance that may still change (a write). */
  List<IBase> extractOnce(IBaseResource resource) {
    return evaluate(resource);
  }

  private List<IBase> evaluate(IBaseResource resource) {
    if ("_id".equals(param.getName())) {
      IIdType id = resource.getIdElement();
      return id != null && id.hasIdPart() ? List.of(new IdType(id.getIdPart())) : List.of();
    }
    List<IBase> values = new ArrayList<>();
    for (Expression expression : expressions) {
      for (IBase value : fhirPath.evaluate(resource, expression.parsed(), IBase.class)) {
        if (expression.requiredType() == null || hasType(value, expression.requiredType())) {
          values.add(value);
        }
      }
    }
    return List.copyOf(values);
  }

  private static boolean hasType(IBase value, String type) {
    if (!(value instanceof IBaseReference reference)) {
      return true;
    }
    IIdType target = References.typedId(reference.getReferenceElement());
    return target != null && type.equals(target.getResourceType());
  }

  private record Expression(IFhirPath.IParsedExpression parsed, String requiredType) {}
}
