package org.healthgateway.keys.consent;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.mappings.DataCategory;
import org.healthgateway.mappings.MappingRule;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Consent.provisionActorComponent;

/** Checks a practitioner's access request (a proposed Consent); see {@link ConsentEngine}. */
final class ProposalValidator {

  private static final Set<String> RESOURCE_TYPES =
      Set.copyOf(FhirContext.forR4Cached().getResourceTypes());

  private ProposalValidator() {}

  static List<String> problems(Consent consent, String proposer) {
    List<String> structure = ConsentStructure.problems(consent);
    List<String> problems = new ArrayList<>(structure);
    if (consent.getStatus() != ConsentState.PROPOSED) {
      problems.add("status must be proposed");
    }
    Optional<String> patient = Terms.typedReference(consent.getPatient().getReference());
    if (patient.isEmpty() || !patient.get().startsWith("Patient/")) {
      problems.add("patient must reference a Patient");
    }
    if (!hasCoding(consent.getScope(), ConsentEngine.CONSENT_SCOPE_SYSTEM, "patient-privacy")) {
      problems.add("scope must be patient-privacy");
    }
    if (!consent.hasCategory()) {
      problems.add("category is required");
    }
    if (!consent.hasProvision()) {
      problems.add("provision is required");
    } else if (structure.isEmpty()) {
      checkProvision(consent.getProvision(), proposer, problems);
    }
    return List.copyOf(problems);
  }

  private static void checkProvision(
      ProvisionComponent provision, String proposer, List<String> problems) {
    if (provision.getType() != ConsentProvisionType.PERMIT) {
      problems.add("provision.type must be permit");
    }
    checkActor(provision, proposer, problems);
    Set<String> categories = checkCodes(provision, problems);
    Set<String> types = checkClasses(provision, problems);
    if (categories.isEmpty() && types.isEmpty()) {
      problems.add("provision must name a data category (code) or resource type (class)");
    } else if (!categories.isEmpty() && !types.isEmpty() && !overlap(categories, types)) {
      problems.add("provision.class and provision.code together select no data");
    }
    if (FhirTime.isInverted(provision.getPeriod())) {
      problems.add("provision.period starts after it ends");
    }
    if (FhirTime.isInverted(provision.getDataPeriod())) {
      problems.add("provision.dataPeriod starts after it ends");
    }
    if (provision.hasData()) {
      problems.add("provision.data is not supported; name categories or resource types");
    }
    if (provision.hasProvision()) {
      problems.add("nested provisions are not allowed in a proposal");
    }
  }

  private static void checkActor(
      ProvisionComponent provision, String proposer, List<String> problems) {
    Optional<String> self = Terms.typedReference(proposer);
    if (self.isEmpty() || !self.get().startsWith("Practitioner/")) {
      problems.add("only a Practitioner may propose a consent");
      return;
    }
    boolean named = false;
    for (provisionActorComponent actor : provision.getActor()) {
      named |= self.equals(Terms.typedReference(actor.getReference().getReference()));
    }
    if (!named) {
      problems.add("provision.actor must name the proposer");
    }
  }

  private static Set<String> checkCodes(ProvisionComponent provision, List<String> problems) {
    Set<String> known = new HashSet<>();
    for (CodeableConcept concept : provision.getCode()) {
      for (Coding coding : concept.getCoding()) {
        if (!DataCategories.CODE_SYSTEM_URL.equals(coding.getSystem())) {
          problems.add("provision.code must use system " + DataCategories.CODE_SYSTEM_URL);
        } else if (DataCategory.fromCode(coding.getCode()).isEmpty()) {
          problems.add("unknown data category: " + shown(coding.getCode()));
        } else {
          known.add(coding.getCode());
        }
      }
    }
    return known;
  }

  private static Set<String> checkClasses(ProvisionComponent provision, List<String> problems) {
    Set<String> known = new HashSet<>();
    for (Coding coding : provision.getClass_()) {
      if (!ConsentEngine.RESOURCE_TYPES_SYSTEM.equals(coding.getSystem())) {
        problems.add("provision.class must use system " + ConsentEngine.RESOURCE_TYPES_SYSTEM);
      } else if (!RESOURCE_TYPES.contains(coding.getCode())) {
        problems.add("unknown resource type: " + shown(coding.getCode()));
      } else {
        known.add(coding.getCode());
      }
    }
    return known;
  }

  private static boolean overlap(Set<String> categories, Set<String> types) {
    for (String code : categories) {
      for (MappingRule rule : DataCategory.fromCode(code).orElseThrow().rules()) {
        if (types.contains(rule.resourceType())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The code as echoed in a problem, cut to a length a message can carry. */
  private static String shown(String code) {
    return code != null && code.length() > 64 ? code.substring(0, 64) + "..." : code;
  }

  private static boolean hasCoding(CodeableConcept concept, String system, String code) {
    return concept.getCoding().stream()
        .anyMatch(c -> system.equals(c.getSystem()) && code.equals(c.getCode()));
  }
}
