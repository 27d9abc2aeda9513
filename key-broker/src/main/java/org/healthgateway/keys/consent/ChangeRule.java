package org.healthgateway.keys.consent;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.hl7.fhir.r4.model.Consent;

/**
 * Who may write a resource version (flow 6 of the design): pure logic on metadata, no I/O,
 * thread-safe. The same rule holds for every path that writes (create, update, patch, delete, and
 * each entry of a batch or transaction); the FHIR layer only gathers the facts and turns a denial
 * into 403. Consents follow their own state machine (proposed by a practitioner, decided by the
 * patient) and are not judged here.
 *
 * <ul>
 *   <li>Creating: anyone authenticated may add to a record, except that a patient writes only into
 *       its own compartment (and, outside any compartment, only {@link #PATIENT_OWN_TYPES}).
 *   <li>Changing (a new version after version 1, deleted or not): the author of version 1, an
 *       editor the organization designates, or an actor whose active consent permits the action
 *       {@code correct} on both the current and the new content. A patient changes only what it
 *       wrote itself.
 * </ul>
 */
public final class ChangeRule {

  /** Reason when a patient writes outside its own compartment. */
  public static final String OUTSIDE_OWN_RECORD = "a patient writes only in its own record";

  /** Reason when a patient changes a record someone else wrote. */
  public static final String PATIENT_NOT_AUTHOR =
      "a patient changes only the records it wrote itself";

  /** Reason when nobody's authorship or consent covers a change. */
  public static final String NOT_PERMITTED =
      "only the record's author, an editor of its organization, or an actor whose active consent"
          + " permits 'correct' may change it";

  /** Non-compartment types a patient may create: its subscriptions and approval provenances. */
  public static final Set<String> PATIENT_OWN_TYPES = Set.of("Subscription", "Provenance");

  private static final String PATIENT_PREFIX = "Patient/";

  private final ConsentEngine engine;
  private final Set<String> editors;

  /**
   * @param engine decides consents for {@code correct}
   * @param editors users ({@code Practitioner/x}) the organization designates to change records its
   *     users wrote
   */
  public ChangeRule(ConsentEngine engine, Set<String> editors) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.editors = Set.copyOf(editors);
  }

  /**
   * Decides the creation of a resource.
   *
   * @param requester who writes, {@code Type/id}
   * @param resourceType the new resource's type
   * @param patient the patient whose compartment the resource is in, {@code Patient/id}, or null
   */
  public Decision create(String requester, String resourceType, String patient) {
    if (!requester.startsWith(PATIENT_PREFIX)) {
      return new Decision(true, "permitted: adds to the record", null);
    }
    boolean own =
        patient == null ? PATIENT_OWN_TYPES.contains(resourceType) : patient.equals(requester);
    return own
        ? new Decision(true, "permitted: the patient's own record", null)
        : new Decision(false, OUTSIDE_OWN_RECORD, null);
  }

  /**
   * Decides a new version of an existing resource.
   *
   * @param change the facts; {@code current.actor()} is the requester
   * @param consents the patient's consents, any status (empty for resources of no patient)
   */
  public Decision change(Change change, List<Consent> consents) {
    Objects.requireNonNull(change, "change");
    String requester = change.current().actor();
    if (requester.equals(change.firstAuthor())) {
      return new Decision(true, "permitted: the record's author", null);
    }
    if (requester.startsWith(PATIENT_PREFIX)) {
      return new Decision(
          false,
          requester.equals(change.patient()) ? PATIENT_NOT_AUTHOR : OUTSIDE_OWN_RECORD,
          null);
    }
    if (editors.contains(requester)) {
      return new Decision(true, "permitted: an editor of the organization", null);
    }
    if (change.patient() == null) {
      return new Decision(false, NOT_PERMITTED, null);
    }
    Decision current = engine.decide(consents, change.current().as(AccessRequest.Action.CORRECT));
    if (!current.permitted() || change.next() == null) {
      return current.permitted() ? current : notPermitted(current);
    }
    Decision next = engine.decide(consents, change.next().as(AccessRequest.Action.CORRECT));
    return next.permitted() ? next : notPermitted(next);
  }

  private static Decision notPermitted(Decision consent) {
    return new Decision(false, NOT_PERMITTED + " (" + consent.reason() + ")", consent.consentId());
  }

  /**
   * The facts of one change.
   *
   * @param firstAuthor the author of version 1
   * @param patient the resource's patient, {@code Patient/id}, or null for directory resources
   * @param current the current version as an access by the requester
   * @param next the new content as an access by the requester, or null for a deletion
   */
  public record Change(
      String firstAuthor, String patient, AccessRequest current, AccessRequest next) {
    public Change {
      Objects.requireNonNull(firstAuthor, "firstAuthor");
      Objects.requireNonNull(current, "current");
    }
  }
}
