package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The large external code systems (LOINC, SNOMED CT, UCUM, RxNorm, CVX, ICD-10) need a terminology
 * server this gateway does not run. Their codes are accepted as given, so that a binding to a value
 * set drawn from them (Consent.category's LOINC codes, Synthea's "mmHg") is not an error; the base
 * R4 structure, cardinality, invariants and the code systems HAPI ships are still checked.
 */
final class UncheckedExternalTerminology implements IValidationSupport {
  private static final Set<String> SYSTEMS =
      Set.of(
          "http://loinc.org",
          "http://snomed.info/sct",
          "http://unitsofmeasure.org",
          "http://www.nlm.nih.gov/research/umls/rxnorm",
          "http://hl7.org/fhir/sid/cvx",
          "http://hl7.org/fhir/sid/icd-10",
          "http://hl7.org/fhir/sid/icd-10-cm");

  private final FhirContext fhir;

  UncheckedExternalTerminology(FhirContext fhir) {
    this.fhir = fhir;
  }

  @Override
  public FhirContext getFhirContext() {
    return fhir;
  }

  @Override
  public boolean isCodeSystemSupported(ValidationSupportContext context, String system) {
    return SYSTEMS.contains(system);
  }

  @Override
  public CodeValidationResult validateCode(
      ValidationSupportContext context,
      ConceptValidationOptions options,
      String system,
      String code,
      String display,
      String valueSetUrl) {
    if (system == null || !SYSTEMS.contains(system) || code == null || code.isBlank()) {
      return null;
    }
    return new CodeValidationResult().setCode(code).setDisplay(display);
  }

  @Override
  public CodeValidationResult validateCodeInValueSet(
      ValidationSupportContext context,
      ConceptValidationOptions options,
      String system,
      String code,
      String display,
      IBaseResource valueSet) {
    return validateCode(context, options, system, code, display, null);
  }
}
