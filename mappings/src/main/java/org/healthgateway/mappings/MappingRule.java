package org.healthgateway.mappings;

import java.util.Set;

/**
 * One rule that puts resources of a type into a {@link DataCategory}.
 *
 * @param resourceType the FHIR resource type the rule applies to
 * @param categoryTokens {@code system|code} tokens of the resource's own {@code category} element;
 *     empty means every resource of the type
 * @param fallback when true the rule applies only if no non-fallback rule of any category matched
 *     the resource (used for Observations whose category names no seed category)
 */
public record MappingRule(String resourceType, Set<String> categoryTokens, boolean fallback) {

  public MappingRule {
    categoryTokens = Set.copyOf(categoryTokens);
  }

  /** A rule matching every resource of the type. */
  public static MappingRule of(String resourceType) {
    return new MappingRule(resourceType, Set.of(), false);
  }

  /** A rule matching resources of the type that carry one of the category tokens. */
  public static MappingRule withCategory(String resourceType, String... categoryTokens) {
    return new MappingRule(resourceType, Set.of(categoryTokens), false);
  }

  /** A rule matching resources of the type that no other rule matched. */
  public static MappingRule fallback(String resourceType) {
    return new MappingRule(resourceType, Set.of(), true);
  }

  boolean restrictsCategory() {
    return !categoryTokens.isEmpty();
  }
}
