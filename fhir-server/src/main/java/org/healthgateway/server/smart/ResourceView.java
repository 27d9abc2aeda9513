package org.healthgateway.server.smart;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the scope policy needs to know of one resource: a resource written, a stored version about
 * to change, or one a response is about to show. Implementations may work the facts out lazily: the
 * policy asks only for those a limited token needs.
 */
public interface ResourceView {
  /** The resource type. */
  String type();

  /** The patients (ids, no type) the resource belongs to by its Patient-compartment elements. */
  Set<String> patientIds();

  /**
   * For a Provenance that names no patient: the patient of each target's stored version, null for a
   * target that is no stored record; empty for every other resource.
   */
  List<String> targetPatients();

  /**
   * True if the resource matches a SMART v2 scope query ({@code category=laboratory}); false for a
   * query that can't be evaluated on its type (fail closed).
   */
  boolean matches(Map<String, List<String>> query);

  /** A view of known facts. */
  static ResourceView of(
      String type,
      Set<String> patientIds,
      List<String> targetPatients,
      Predicate<Map<String, List<String>>> matcher) {
    return new Known(
        type,
        Set.copyOf(patientIds),
        java.util.Collections.unmodifiableList(new java.util.ArrayList<>(targetPatients)),
        matcher);
  }

  /** Facts known up front. */
  record Known(
      String type,
      Set<String> patientIds,
      List<String> targetPatients,
      Predicate<Map<String, List<String>>> matcher)
      implements ResourceView {
    @Override
    public boolean matches(Map<String, List<String>> query) {
      return matcher.test(query);
    }
  }
}
