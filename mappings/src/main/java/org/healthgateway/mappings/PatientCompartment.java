package org.healthgateway.mappings;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

/**
 * Finds the patients a resource belongs to, from HAPI's Patient compartment definition: the search
 * parameters whose {@link RuntimeSearchParam#getProvidesMembershipInCompartments()} names {@code
 * Patient}. A Patient belongs to itself. See mappings/README.md for the clinical/directory rule.
 */
public final class PatientCompartment {

  /** Resolves a reference string to a typed id ({@code Patient/123}), or empty if unknown. */
  @FunctionalInterface
  public interface ReferenceResolver {
    Optional<IIdType> resolve(String reference);
  }

  private static final String PATIENT = "Patient";
  private static final Pattern SIMPLE_PATH =
      Pattern.compile(
          "^([A-Za-z]+(?:\\.[A-Za-z]+)+)(?:\\.where\\(resolve\\(\\) is [A-Za-z]+\\))?$");

  private final FhirContext ctx;
  private final FhirTerser terser;
  private final Map<String, List<String>> pathsByType;

  /**
   * Reads the Patient compartment of every resource type of the context.
   *
   * @throws IllegalStateException if a compartment path uses FHIRPath this class can't walk
   */
  public PatientCompartment(FhirContext ctx) {
    this.ctx = ctx;
    this.terser = ctx.newTerser();
    Map<String, List<String>> paths = new HashMap<>();
    for (String type : ctx.getResourceTypes()) {
      List<String> typePaths = compartmentPaths(ctx.getResourceDefinition(type));
      if (!typePaths.isEmpty()) {
        paths.put(type, typePaths);
      }
    }
    paths.putIfAbsent(PATIENT, List.of());
    this.pathsByType = Collections.unmodifiableMap(paths);
  }

  /**
   * True for the clinical types: Patient and every type with at least one Patient-compartment
   * search parameter. Practitioner, Organization, Location, Medication and the conformance
   * resources are not.
   */
  public boolean isInPatientCompartment(String resourceType) {
    return pathsByType.containsKey(resourceType);
  }

  /** The resource types in the Patient compartment. */
  public Set<String> compartmentTypes() {
    return pathsByType.keySet();
  }

  /** The patient ids the resource belongs to, reading references as {@code Type/id} or URLs. */
  public Set<String> patientIds(IBaseResource resource) {
    return patientIds(resource, PatientCompartment::parseReference);
  }

  /**
   * The patient ids (id part only) the resource belongs to.
   *
   * @param resolver turns each reference into a typed id; references it can't type (an unresolved
   *     {@code urn:uuid:}, a conditional or contained reference) don't count, so a resource names a
   *     patient only through a reference known to point at a Patient
   */
  public Set<String> patientIds(IBaseResource resource, ReferenceResolver resolver) {
    String type = ctx.getResourceType(resource);
    Set<String> ids = new LinkedHashSet<>();
    if (PATIENT.equals(type)) {
      if (resource.getIdElement().hasIdPart()) {
        ids.add(resource.getIdElement().getIdPart());
      }
      return ids;
    }
    for (String path : pathsByType.getOrDefault(type, List.of())) {
      for (IBaseReference reference : terser.getValues(resource, path, IBaseReference.class)) {
        patientId(reference, resolver).ifPresent(ids::add);
      }
    }
    return ids;
  }

  private static Optional<String> patientId(IBaseReference reference, ReferenceResolver resolver) {
    IIdType element = reference.getReferenceElement();
    if (element == null || element.isEmpty() || element.getValue().startsWith("#")) {
      return Optional.empty();
    }
    return resolver
        .resolve(element.getValue())
        .filter(id -> PATIENT.equals(id.getResourceType()) && id.hasIdPart())
        .map(IIdType::getIdPart);
  }

  /**
   * Types a reference from its own text: {@code Patient/1}, {@code Patient/1/_history/2} or an
   * absolute URL ending in {@code Patient/1}. Conditional and {@code urn:} references stay untyped.
   */
  public static Optional<IIdType> parseReference(String reference) {
    if (reference == null || reference.contains("?") || reference.startsWith("urn:")) {
      return Optional.empty();
    }
    IIdType id = new IdType(reference);
    return id.hasResourceType() && id.hasIdPart() ? Optional.of(id) : Optional.empty();
  }

  private static List<String> compartmentPaths(RuntimeResourceDefinition definition) {
    List<String> paths = new ArrayList<>();
    for (RuntimeSearchParam param : definition.getSearchParams()) {
      Set<String> compartments = param.getProvidesMembershipInCompartments();
      if (compartments == null
          || !compartments.contains(PATIENT)
          || param.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
        continue;
      }
      for (String path : param.getPathsSplitForResourceType(definition.getName())) {
        paths.add(simplePath(path.trim(), param));
      }
    }
    return List.copyOf(new LinkedHashSet<>(paths));
  }

  private static String simplePath(String path, RuntimeSearchParam param) {
    Matcher matcher = SIMPLE_PATH.matcher(path);
    if (!matcher.matches()) {
      throw new IllegalStateException(
          "Unsupported compartment path for " + param.getName() + ": " + path);
    }
    return matcher.group(1);
  }
}
