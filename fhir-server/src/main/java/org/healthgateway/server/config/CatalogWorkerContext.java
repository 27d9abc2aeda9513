package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.hapi.converters.canonical.VersionCanonicalizer;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.model.Resource;
import org.hl7.fhir.r5.model.StructureDefinition;

/**
 * HAPI's bridge between its validation support chain and the core validator, which also lists the
 * chain's code systems and value sets when the validator asks for all resources of a type.
 *
 * <p>HAPI 8.8's {@link WorkerContextValidationSupportAdapter#fetchResourcesByType} answers only for
 * StructureDefinitions and throws {@code HAPI-0650} otherwise. The core validator asks for every
 * CodeSystem when a ValueSet includes a {@code urn:oid:} system (to tell the author the code system
 * has an official URL), so valid R4 ValueSets such as the specification's {@code vaccine-code}
 * crashed validation. The list comes from {@link IValidationSupport#fetchAllConformanceResources},
 * converted to the validator's R5 model once per type (about 1,000 code systems, a few seconds and
 * ~20 MB on first use); types the chain holds none of, and abstract types, give an empty list.
 */
final class CatalogWorkerContext extends WorkerContextValidationSupportAdapter {
  /** Any core code system: HAPI loads the bundled conformance resources on their first lookup. */
  private static final String CORE_CODE_SYSTEM = "http://hl7.org/fhir/publication-status";

  private final IValidationSupport support;
  private final VersionCanonicalizer canonicalizer;
  private final Map<Class<?>, List<Resource>> byType = new ConcurrentHashMap<>();

  CatalogWorkerContext(IValidationSupport support) {
    super(support);
    this.support = support;
    this.canonicalizer = new VersionCanonicalizer(support.getFhirContext());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Resource> List<T> fetchResourcesByType(Class<T> type) {
    if (type.equals(StructureDefinition.class)) {
      return super.fetchResourcesByType(type);
    }
    return (List<T>) byType.computeIfAbsent(type, this::load);
  }

  private List<Resource> load(Class<?> type) {
    if (Modifier.isAbstract(type.getModifiers())) {
      return List.of();
    }
    support.fetchCodeSystem(CORE_CODE_SYSTEM);
    List<IBaseResource> all = support.fetchAllConformanceResources();
    if (all == null) {
      return List.of();
    }
    FhirContext fhir = support.getFhirContext();
    List<Resource> matching = new ArrayList<>();
    for (IBaseResource resource : all) {
      if (type.getSimpleName().equals(fhir.getResourceType(resource))) {
        Resource canonical = canonicalizer.resourceToValidatorCanonical(resource);
        if (type.isInstance(canonical)) {
          matching.add(canonical);
        }
      }
    }
    return List.copyOf(matching);
  }
}
