package org.healthgateway.keys.consent;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One access to one resource version, as the consent engine sees it: metadata only, never content.
 *
 * @param actor who accesses, as a reference ({@code Practitioner/b}); absolute URLs and {@code
 *     _history} suffixes are read as {@code Type/id}
 * @param resourceType the resource's type name ({@code Observation})
 * @param categories the resource's data-category codes, from {@code DataCategories.categorize}
 * @param dataDate the resource's clinical date (effective, onset, recorded, period start...), or
 *     null if it has none
 * @param securityLabels the resource's {@code meta.security} as {@code system|code}
 * @param at when the access happens
 * @param action what the actor does: read the data, or write a new version of it
 */
public record AccessRequest(
    String actor,
    String resourceType,
    Set<String> categories,
    Instant dataDate,
    Set<String> securityLabels,
    Instant at,
    Action action) {

  /**
   * What an access does, as {@code Consent.provision.action} of {@code
   * http://terminology.hl7.org/CodeSystem/consentaction} names it.
   */
  public enum Action {
    /** Reading: {@code access}, {@code use} or {@code disclose} permit it. */
    READ,
    /**
     * Writing a new version (update, patch, delete): only an explicit {@code correct} permits it.
     */
    CORRECT
  }

  /** Copies the sets; null sets become empty. */
  public AccessRequest {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(action, "action");
    categories = categories == null ? Set.of() : Set.copyOf(categories);
    securityLabels = securityLabels == null ? Set.of() : Set.copyOf(securityLabels);
  }

  /** A read. */
  public AccessRequest(
      String actor,
      String resourceType,
      Set<String> categories,
      Instant dataDate,
      Set<String> securityLabels,
      Instant at) {
    this(actor, resourceType, categories, dataDate, securityLabels, at, Action.READ);
  }

  /** The same access with another action. */
  public AccessRequest as(Action other) {
    return new AccessRequest(actor, resourceType, categories, dataDate, securityLabels, at, other);
  }
}
