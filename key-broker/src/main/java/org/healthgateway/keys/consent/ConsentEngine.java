package org.healthgateway.keys.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Meta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides accesses under a patient's FHIR R4 Consents: pure logic on metadata, no I/O, thread-safe.
 * Default deny; any applying deny wins over every permit. The rules are in key-broker/README.md,
 * "Consent evaluation".
 */
public final class ConsentEngine {

  /** Code system of {@code provision.class}. */
  public static final String RESOURCE_TYPES_SYSTEM = "http://hl7.org/fhir/resource-types";

  /** Code system of {@code Consent.scope}. */
  public static final String CONSENT_SCOPE_SYSTEM =
      "http://terminology.hl7.org/CodeSystem/consentscope";

  /** The {@code Consent.scope} code of the consents that govern access to a patient's data. */
  public static final String PRIVACY_SCOPE = "patient-privacy";

  /** Deepest provision nesting evaluated (the root is level 1); deeper consents are invalid. */
  public static final int MAX_DEPTH = 8;

  /** Most provisions in one Consent, root included; more make the consent invalid. */
  public static final int MAX_PROVISIONS = 100;

  /** Most entries in one list of a provision (actors, classes, codes, labels, ...). */
  public static final int MAX_LIST_SIZE = 100;

  /** Most consents one decision reads; more are refused (denied). */
  public static final int MAX_CONSENTS = 1000;

  /** Reason when more than {@link #MAX_CONSENTS} consents are passed. */
  public static final String TOO_MANY_CONSENTS = "too many consents";

  private static final Logger log = LoggerFactory.getLogger(ConsentEngine.class);

  public ConsentEngine() {}

  /**
   * True if the consent governs who may access the patient's data: its scope is {@code
   * patient-privacy}. Other consents (treatment, research, advance directives) are clinical records
   * of the patient; they never permit or deny an access.
   */
  public static boolean governsAccess(Consent consent) {
    return consent.getScope().getCoding().stream()
        .anyMatch(
            c -> CONSENT_SCOPE_SYSTEM.equals(c.getSystem()) && PRIVACY_SCOPE.equals(c.getCode()));
  }

  /**
   * Decides one access under the patient's consents. Consents of any status and scope may be
   * passed; only {@code active} ones that {@link #governsAccess} count. The caller passes only
   * consents whose {@code patient} is the data's patient.
   *
   * @return permitted only if an active consent permits and no active consent denies; the first
   *     deciding consent in list order is cited
   */
  public Decision decide(List<Consent> consents, AccessRequest request) {
    Objects.requireNonNull(consents, "consents");
    Objects.requireNonNull(request, "request");
    if (consents.size() > MAX_CONSENTS) {
      return Decision.denied(TOO_MANY_CONSENTS, null);
    }
    Decision permit = null;
    Decision nearMiss = null;
    for (Consent consent : consents) {
      if (consent.getStatus() != ConsentState.ACTIVE || !governsAccess(consent)) {
        continue;
      }
      String id = Terms.consentId(consent);
      List<String> problems = ConsentStructure.problems(consent);
      if (!problems.isEmpty()) {
        log.warn("{} is invalid and denies every access: {}", id, problems);
        return Decision.invalidConsent(id);
      }
      if (!consent.hasProvision()) {
        continue;
      }
      ProvisionEvaluator.Result result =
          ProvisionEvaluator.evaluate(consent.getProvision(), request);
      switch (result.effect()) {
        case DENY -> {
          return Decision.deniedBy(id);
        }
        case PERMIT -> permit = permit == null ? Decision.permittedBy(id) : permit;
        case NONE -> {
          if (nearMiss == null && result.nearMiss() != null) {
            nearMiss = Decision.denied(result.nearMiss(), id);
          }
        }
      }
    }
    if (permit != null) {
      return permit;
    }
    return nearMiss != null ? nearMiss : Decision.noConsent();
  }

  /**
   * A quick check before opening data: false if {@code consent} can't permit {@code request}
   * whatever the data's date and security labels, because it is not active or its root provision's
   * actor, class or code rule out the request's actor, resource type and categories (no nested
   * provision applies when its root does not). True means only that {@link #decide} must be asked.
   */
  public boolean mayPermit(Consent consent, AccessRequest request) {
    return consent.getStatus() == ConsentState.ACTIVE
        && governsAccess(consent)
        && consent.hasProvision()
        && ProvisionEvaluator.mayApply(consent.getProvision(), request);
  }

  /**
   * The actors ({@code Type/id}, sorted) that the active consents permit to access data with this
   * metadata at {@code at}: the recipients a new resource version is wrapped for under standing
   * consents. Only actors a provision names can be grantees.
   */
  public Set<String> grantees(
      List<Consent> consents,
      String resourceType,
      Set<String> categories,
      Instant dataDate,
      Set<String> securityLabels,
      Instant at) {
    Objects.requireNonNull(consents, "consents");
    if (consents.size() > MAX_CONSENTS) {
      return Set.of();
    }
    Set<String> candidates = new TreeSet<>();
    for (Consent consent : consents) {
      if (consent.getStatus() == ConsentState.ACTIVE
          && governsAccess(consent)
          && ConsentStructure.problems(consent).isEmpty()) {
        ConsentStructure.forEach(
            consent,
            provision ->
                provision
                    .getActor()
                    .forEach(
                        actor ->
                            Terms.typedReference(actor.getReference().getReference())
                                .ifPresent(candidates::add)));
      }
    }
    Set<String> grantees = new TreeSet<>();
    for (String actor : candidates) {
      AccessRequest request =
          new AccessRequest(actor, resourceType, categories, dataDate, securityLabels, at);
      if (decide(consents, request).permitted()) {
        grantees.add(actor);
      }
    }
    return Collections.unmodifiableSet(grantees);
  }

  /**
   * Checks a practitioner's access request: a Consent with status {@code proposed}, scope {@code
   * patient-privacy}, a category, a Patient, and one permit provision naming the proposer as actor
   * and known data categories ({@code code}) and/or resource types ({@code class}); no nested
   * provisions, no {@code data}, periods in order.
   *
   * @param proposer the authenticated practitioner, {@code Practitioner/id}
   * @return stable, user-readable problems; empty if the proposal is valid
   */
  @SuppressWarnings("InvalidParam") // {@code proposed} is the Consent status, not a parameter
  public List<String> validateProposal(Consent consent, String proposer) {
    Objects.requireNonNull(consent, "consent");
    return ProposalValidator.problems(consent, proposer);
  }

  /**
   * The structural problems that make {@link #decide} treat a consent as invalid (deny all): too
   * deep, too many provisions or list entries, a nested provision without type. Lets the server
   * refuse such a consent at write time instead of letting it block every access.
   *
   * @return stable problems; empty if the engine can evaluate the consent
   */
  public List<String> validateStructure(Consent consent) {
    Objects.requireNonNull(consent, "consent");
    return List.copyOf(ConsentStructure.problems(consent));
  }

  /** One line describing the consent's status and scope, stable for equal content. */
  public String summarize(Consent consent) {
    Objects.requireNonNull(consent, "consent");
    return ConsentSummary.of(consent);
  }

  /**
   * The bytes the patient's approval JWS signs: the consent as compact JSON (HAPI's encoder,
   * elements in definition order), with id {@code <id>} (no base, no version), {@code meta} reduced
   * to {@code meta.versionId}, and no narrative. Binding the replaced version makes an old
   * signature fail on any later version, so an approval can't be replayed.
   *
   * @param consent the consent; not modified
   * @throws IllegalArgumentException if the consent has no id or no {@code meta.versionId}
   */
  public static byte[] canonicalForm(Consent consent, FhirContext ctx) {
    Objects.requireNonNull(consent, "consent");
    Objects.requireNonNull(ctx, "ctx");
    if (!consent.getIdElement().hasIdPart()) {
      throw new IllegalArgumentException("consent has no id");
    }
    if (!consent.getMeta().hasVersionId()) {
      throw new IllegalArgumentException("meta.versionId must name the version being replaced");
    }
    Consent copy = consent.copy();
    copy.setIdElement(new IdType("Consent", consent.getIdElement().getIdPart()));
    copy.setMeta(new Meta().setVersionId(consent.getMeta().getVersionId()));
    copy.setText(null);
    // Not setSuppressNarratives: HAPI would add a SUBSETTED tag to meta.
    IParser parser = ctx.newJsonParser().setPrettyPrint(false);
    return parser.encodeResourceToString(copy).getBytes(StandardCharsets.UTF_8);
  }

  /** The actors a consent names in any provision, as references, in order of appearance. */
  public static Set<String> actors(Consent consent) {
    Set<String> actors = new java.util.LinkedHashSet<>();
    collectActors(consent.getProvision(), actors);
    return actors;
  }

  private static void collectActors(Consent.ProvisionComponent provision, Set<String> into) {
    for (Consent.provisionActorComponent actor : provision.getActor()) {
      into.add(actor.getReference().getReference());
    }
    for (Consent.ProvisionComponent nested : provision.getProvision()) {
      collectActors(nested, into);
    }
  }
}
