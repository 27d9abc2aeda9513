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
 */
public record AccessRequest(
    String actor,
    String resourceType,
    Set<String> categories,
    Instant dataDate,
    Set<String> securityLabels,
    Instant at) {

  /** Copies the sets; null sets become empty. */
  public AccessRequest {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(at, "at");
    categories = categories == null ? Set.of() : Set.copyOf(categories);
    securityLabels = securityLabels == null ? Set.of() : Set.copyOf(securityLabels);
  }
}
