package org.healthgateway.keys.consent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;

/**
 * Structural limits of a Consent's provision tree, checked before anything walks it: nesting depth,
 * provision count, list sizes, and a {@code type} on every nested provision (R4 requires it there).
 */
final class ConsentStructure {

  private ConsentStructure() {}

  /** The structural problems of the consent; empty if the engine can evaluate it. */
  static List<String> problems(Consent consent) {
    List<String> problems = new ArrayList<>();
    if (consent.hasProvision()) {
      check(consent.getProvision(), 1, new int[] {0}, problems);
    }
    return problems;
  }

  /** Visits every provision of a structurally valid consent, depth first, root first. */
  static void forEach(Consent consent, Consumer<ProvisionComponent> visitor) {
    if (consent.hasProvision()) {
      visit(consent.getProvision(), visitor);
    }
  }

  private static void visit(ProvisionComponent provision, Consumer<ProvisionComponent> visitor) {
    visitor.accept(provision);
    provision.getProvision().forEach(child -> visit(child, visitor));
  }

  private static boolean check(
      ProvisionComponent provision, int depth, int[] count, List<String> problems) {
    if (depth > ConsentEngine.MAX_DEPTH) {
      problems.add("provisions are nested deeper than " + ConsentEngine.MAX_DEPTH + " levels");
      return false;
    }
    if (++count[0] > ConsentEngine.MAX_PROVISIONS) {
      problems.add("more than " + ConsentEngine.MAX_PROVISIONS + " provisions");
      return false;
    }
    if (depth > 1 && !provision.hasType()) {
      problems.add("a nested provision has no type");
    }
    checkSizes(provision, problems);
    for (ProvisionComponent child : provision.getProvision()) {
      if (!check(child, depth + 1, count, problems)) {
        return false;
      }
    }
    return true;
  }

  private static void checkSizes(ProvisionComponent provision, List<String> problems) {
    checkSize("actor", provision.getActor().size(), problems);
    checkSize("class", provision.getClass_().size(), problems);
    checkSize("code", provision.getCode().size(), problems);
    checkSize("securityLabel", provision.getSecurityLabel().size(), problems);
    checkSize("action", provision.getAction().size(), problems);
    checkSize("purpose", provision.getPurpose().size(), problems);
    checkSize("data", provision.getData().size(), problems);
    checkSize("provision", provision.getProvision().size(), problems);
    for (CodeableConcept concept : provision.getCode()) {
      checkSize("code.coding", concept.getCoding().size(), problems);
    }
    for (CodeableConcept concept : provision.getAction()) {
      checkSize("action.coding", concept.getCoding().size(), problems);
    }
  }

  private static void checkSize(String element, int size, List<String> problems) {
    if (size > ConsentEngine.MAX_LIST_SIZE) {
      problems.add(
          "provision." + element + " has more than " + ConsentEngine.MAX_LIST_SIZE + " entries");
    }
  }
}
