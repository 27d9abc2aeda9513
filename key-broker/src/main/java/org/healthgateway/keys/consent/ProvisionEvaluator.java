package org.healthgateway.keys.consent;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Consent.provisionActorComponent;

/**
 * Evaluates one (structurally valid) provision tree for one access. See key-broker/README.md,
 * "Consent evaluation", for the rules; in short: a provision applies when all its conditions hold
 * and its ancestors apply; the deepest applying provisions decide, deny over permit; a condition
 * the engine can't evaluate makes a deny apply and a permit not apply.
 */
final class ProvisionEvaluator {

  enum Effect {
    PERMIT,
    DENY,
    NONE
  }

  /** The tree's effect, and why a permit just missed (period), if it did. */
  record Result(Effect effect, String nearMiss) {}

  private enum Match {
    YES,
    NO,
    UNKNOWN;

    Match and(Match other) {
      if (this == NO || other == NO) {
        return NO;
      }
      return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : YES;
    }
  }

  private static final Set<String> READ_ACTIONS = Set.of("access", "use", "disclose");
  private static final String CORRECT = "correct";
  private static final Set<String> KNOWN_ACTIONS =
      Set.of("access", "use", "disclose", "collect", CORRECT);

  private final AccessRequest request;
  private final Optional<String> actor;
  private final String requiredLabel;
  private String nearMiss;

  private ProvisionEvaluator(AccessRequest request) {
    this.request = request;
    this.actor = Terms.typedReference(request.actor());
    this.requiredLabel = requiredLabel(request.securityLabels());
  }

  static Result evaluate(ProvisionComponent root, AccessRequest request) {
    ProvisionEvaluator evaluator = new ProvisionEvaluator(request);
    Effect effect = evaluator.visit(root, false, false, false, Set.of());
    return new Result(effect, evaluator.nearMiss);
  }

  /**
   * False if the root's actor, class or code conditions rule out {@code request} (its type,
   * categories and actor); then no provision of the tree applies, whatever the data's date and
   * labels. True means only that the full evaluation is needed.
   */
  static boolean mayApply(ProvisionComponent root, AccessRequest request) {
    ProvisionEvaluator evaluator = new ProvisionEvaluator(request);
    return evaluator.actorMatch(root).and(evaluator.classMatch(root)).and(evaluator.codeMatch(root))
        != Match.NO;
  }

  private Effect visit(
      ProvisionComponent provision,
      boolean uncertain,
      boolean actorNamed,
      boolean correctNamed,
      Set<String> labels) {
    Match actorMatch = actorMatch(provision);
    Match labelMatch = labelMatch(provision);
    Match data =
        actorMatch
            .and(labelMatch)
            .and(classMatch(provision))
            .and(codeMatch(provision))
            .and(dataPeriodMatch(provision))
            .and(actionMatch(provision))
            .and(provision.hasData() ? Match.UNKNOWN : Match.YES);
    FhirTime.Position when = FhirTime.position(provision.getPeriod(), request.at());
    boolean named = actorNamed || (provision.hasActor() && actorMatch == Match.YES);
    boolean correct = correctNamed || namesCorrect(provision);
    Match conditions = data.and(periodMatch(when));
    if (conditions == Match.NO) {
      noteNearMiss(provision, data, when, named);
      return Effect.NONE;
    }
    boolean nowUncertain = uncertain || conditions == Match.UNKNOWN;
    Set<String> nowLabels = labelMatch == Match.YES ? withLabels(labels, provision) : labels;
    boolean childPermits = false;
    for (ProvisionComponent child : provision.getProvision()) {
      Effect effect = visit(child, nowUncertain, named, correct, nowLabels);
      if (effect == Effect.DENY) {
        return Effect.DENY;
      }
      childPermits |= effect == Effect.PERMIT;
    }
    return childPermits
        ? Effect.PERMIT
        : ownEffect(provision, nowUncertain, named && actionCleared(correct), nowLabels);
  }

  /** A write needs a permit whose path names {@code correct}: a bare permit allows reading only. */
  private boolean actionCleared(boolean correctNamed) {
    return request.action() != AccessRequest.Action.CORRECT || correctNamed;
  }

  private static boolean namesCorrect(ProvisionComponent provision) {
    for (CodeableConcept concept : provision.getAction()) {
      for (Coding coding : concept.getCoding()) {
        if (Terms.CONSENT_ACTION.equals(coding.getSystem()) && CORRECT.equals(coding.getCode())) {
          return true;
        }
      }
    }
    return false;
  }

  private Effect ownEffect(
      ProvisionComponent provision, boolean uncertain, boolean named, Set<String> labels) {
    if (!provision.hasType()) {
      return Effect.NONE;
    }
    if (provision.getType() == ConsentProvisionType.DENY) {
      return Effect.DENY;
    }
    boolean labelCleared = requiredLabel == null || labels.contains(requiredLabel);
    return !uncertain && named && labelCleared ? Effect.PERMIT : Effect.NONE;
  }

  private void noteNearMiss(
      ProvisionComponent provision, Match data, FhirTime.Position when, boolean named) {
    if (nearMiss != null
        || data != Match.YES
        || !named
        || provision.getType() == ConsentProvisionType.DENY) {
      return;
    }
    if (when == FhirTime.Position.AFTER) {
      nearMiss = Decision.PERIOD_ENDED;
    } else if (when == FhirTime.Position.BEFORE) {
      nearMiss = Decision.PERIOD_NOT_STARTED;
    }
  }

  private Match actorMatch(ProvisionComponent provision) {
    if (!provision.hasActor()) {
      return Match.YES;
    }
    Match result = Match.NO;
    for (provisionActorComponent entry : provision.getActor()) {
      Optional<String> reference = Terms.typedReference(entry.getReference().getReference());
      if (reference.isEmpty()) {
        result = Match.UNKNOWN;
      } else if (reference.equals(actor)) {
        return Match.YES;
      }
    }
    return result;
  }

  /** Every listed label must be on the resource (R5 wording; R4 is silent). */
  private Match labelMatch(ProvisionComponent provision) {
    Match result = Match.YES;
    for (Coding coding : provision.getSecurityLabel()) {
      Optional<String> token = Terms.token(coding);
      Match one =
          token.isEmpty()
              ? Match.UNKNOWN
              : request.securityLabels().contains(token.get()) ? Match.YES : Match.NO;
      result = result.and(one);
    }
    return result;
  }

  private Match classMatch(ProvisionComponent provision) {
    if (!provision.hasClass_()) {
      return Match.YES;
    }
    Match result = Match.NO;
    for (Coding coding : provision.getClass_()) {
      if (!ConsentEngine.RESOURCE_TYPES_SYSTEM.equals(coding.getSystem()) || !coding.hasCode()) {
        result = Match.UNKNOWN;
      } else if (coding.getCode().equals(request.resourceType())) {
        return Match.YES;
      }
    }
    return result;
  }

  private Match codeMatch(ProvisionComponent provision) {
    if (!provision.hasCode()) {
      return Match.YES;
    }
    Match result = Match.NO;
    for (CodeableConcept concept : provision.getCode()) {
      if (!concept.hasCoding()) {
        result = Match.UNKNOWN;
      }
      for (Coding coding : concept.getCoding()) {
        if (!DataCategories.CODE_SYSTEM_URL.equals(coding.getSystem()) || !coding.hasCode()) {
          result = Match.UNKNOWN;
        } else if (request.categories().contains(coding.getCode())) {
          return Match.YES;
        }
      }
    }
    return result;
  }

  private Match dataPeriodMatch(ProvisionComponent provision) {
    if (FhirTime.isOpen(provision.getDataPeriod())) {
      return Match.YES;
    }
    if (request.dataDate() == null) {
      return Match.UNKNOWN;
    }
    return periodMatch(FhirTime.position(provision.getDataPeriod(), request.dataDate()));
  }

  private Match actionMatch(ProvisionComponent provision) {
    if (!provision.hasAction()) {
      return Match.YES;
    }
    Match result = Match.NO;
    for (CodeableConcept concept : provision.getAction()) {
      if (!concept.hasCoding()) {
        result = Match.UNKNOWN;
      }
      for (Coding coding : concept.getCoding()) {
        boolean known = Terms.CONSENT_ACTION.equals(coding.getSystem());
        if (known && actionCovers(coding.getCode())) {
          return Match.YES;
        }
        if (!known || !KNOWN_ACTIONS.contains(coding.getCode())) {
          result = Match.UNKNOWN;
        }
      }
    }
    return result;
  }

  private boolean actionCovers(String code) {
    return request.action() == AccessRequest.Action.CORRECT
        ? CORRECT.equals(code)
        : READ_ACTIONS.contains(code);
  }

  private static Match periodMatch(FhirTime.Position position) {
    return switch (position) {
      case INSIDE -> Match.YES;
      case BEFORE, AFTER -> Match.NO;
      case INVALID -> Match.UNKNOWN;
    };
  }

  private static Set<String> withLabels(Set<String> labels, ProvisionComponent provision) {
    Set<String> result = new HashSet<>(labels);
    for (Coding coding : provision.getSecurityLabel()) {
      Terms.token(coding).ifPresent(result::add);
    }
    return result;
  }

  /** V if the data carries V, else R if it carries R: a permit must name it to release the data. */
  private static String requiredLabel(Set<String> labels) {
    if (labels.contains(Terms.VERY_RESTRICTED)) {
      return Terms.VERY_RESTRICTED;
    }
    return labels.contains(Terms.RESTRICTED) ? Terms.RESTRICTED : null;
  }
}
