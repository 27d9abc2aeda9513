package org.healthgateway.keys.consent;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Consent;

/**
 * Who may read a resource version (flow 2 of the design): pure logic, no I/O, thread-safe. It is
 * decided in two steps because the second needs the opened content:
 *
 * <ol>
 *   <li>{@link #beforeOpening}: a version of an owner-only type ({@link #OWNER_ONLY_TYPES}) is its
 *       author's alone; clear content is public; sealed content needs a grant of the requester.
 *   <li>{@link #afterOpening}: the patient and every author of the version or an earlier one read
 *       with their own keys; anyone else also needs an active consent that permits this access and
 *       no deny.
 * </ol>
 */
public final class ReadRule {
  /**
   * Types whose versions belong to their author alone: a Subscription's criteria name a patient,
   * its endpoint and headers carry webhook credentials.
   */
  public static final Set<String> OWNER_ONLY_TYPES = Set.of("Subscription");

  private static final String PATIENT_PREFIX = "Patient/";

  private final ConsentEngine engine;

  public ReadRule(ConsentEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** True if the type's versions are sealed for their author alone. */
  public static boolean isOwnerOnly(String type) {
    return OWNER_ONLY_TYPES.contains(type);
  }

  /**
   * True for a version of an owner-only type written by someone other than {@code requester}: it
   * neither opens nor shows for them, even a deletion or a clear version an older node wrote.
   */
  public static boolean isOwnedByAnother(VersionMeta meta, String requester) {
    return isOwnerOnly(meta.type()) && !meta.author().equals(requester);
  }

  /**
   * Decides on metadata alone.
   *
   * @param holdsGrant whether a grant of the requester wraps the version's data key
   */
  public Decision beforeOpening(VersionMeta meta, String requester, boolean holdsGrant) {
    if (isOwnedByAnother(meta, requester)) {
      return Decision.deny(meta.type() + "/" + meta.id() + " belongs to another user");
    }
    if (!meta.encrypted()) {
      return Decision.permit("public content");
    }
    if (!holdsGrant) {
      return Decision.deny(
          "No key for " + meta.type() + "/" + meta.id() + " was released to " + requester);
    }
    return Decision.permit("a key was released to the requester");
  }

  /**
   * Decides with the opened content, after {@link #beforeOpening} permitted.
   *
   * @param history every version of the resource, oldest first
   * @param access the read as the consent engine sees it (requester, categories, date, labels)
   * @param consents the patient's consents, any status
   */
  public Decision afterOpening(
      VersionMeta meta, List<VersionMeta> history, AccessRequest access, List<Consent> consents) {
    if (!meta.encrypted() || meta.patientId() == null) {
      return Decision.permit("no patient's consent applies");
    }
    if (isOwner(meta, history, access.actor())) {
      return Decision.permit("the patient's or an author's own record");
    }
    return engine.decide(consents, access);
  }

  /**
   * The patient and the authors of the version and of every earlier one always read with their own
   * keys.
   */
  public static boolean isOwner(VersionMeta meta, List<VersionMeta> history, String requester) {
    if (requester.equals(meta.author())
        || (meta.patientId() != null && requester.equals(PATIENT_PREFIX + meta.patientId()))) {
      return true;
    }
    for (VersionMeta earlier : history) {
      if (earlier.version() < meta.version() && requester.equals(earlier.author())) {
        return true;
      }
    }
    return false;
  }
}
