package org.healthgateway.keys.consent;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Period;

/**
 * What consent evaluation needs to know of a resource: its clinical date (for {@code dataPeriod})
 * and its security labels. The date is the first of the usual clinical date elements present.
 */
public final class ResourceFacts {
  private static final List<String> DATE_ELEMENTS =
      List.of(
          "effective",
          "onset",
          "performed",
          "occurrence",
          "recordedDate",
          "authoredOn",
          "issued",
          "period",
          "date",
          "created",
          "recorded",
          "billablePeriod",
          "birthDate");

  private ResourceFacts() {}

  /** A read of the resource by {@code actor}, now: its categories, clinical date and labels. */
  public static AccessRequest access(FhirContext fhir, String actor, IBaseResource resource) {
    return new AccessRequest(
        actor,
        resource.fhirType(),
        DataCategories.categorize(resource),
        dataDate(fhir, resource),
        securityLabels(resource),
        Instant.now());
  }

  /** The resource's clinical date, or null if it has none. */
  public static Instant dataDate(FhirContext fhir, IBaseResource resource) {
    RuntimeResourceDefinition definition = fhir.getResourceDefinition(resource);
    for (String element : DATE_ELEMENTS) {
      BaseRuntimeChildDefinition child = definition.getChildByName(element);
      if (child == null) {
        child = definition.getChildByName(element + "[x]");
      }
      if (child == null) {
        continue;
      }
      // The element's values straight from HAPI's model: a top-level element needs no FHIRPath
      // engine, whose construction alone walks every StructureDefinition.
      for (IBase value : child.getAccessor().getValues(resource)) {
        if (value instanceof BaseDateTimeType date && date.getValue() != null) {
          return date.getValue().toInstant();
        }
        if (value instanceof Period period && period.getStart() != null) {
          return period.getStart().toInstant();
        }
      }
    }
    return null;
  }

  /** The resource's security labels as {@code system|code}. */
  public static Set<String> securityLabels(IBaseResource resource) {
    Set<String> labels = new LinkedHashSet<>();
    for (Object coding : resource.getMeta().getSecurity()) {
      Coding c = (Coding) coding;
      labels.add(c.getSystem() + "|" + c.getCode());
    }
    return labels;
  }
}
