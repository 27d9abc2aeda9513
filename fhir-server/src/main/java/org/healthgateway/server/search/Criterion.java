package org.healthgateway.server.search;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBase;

/** A test of one parameter's OR-list over the values a resource yields for it. */
@FunctionalInterface
interface Criterion {

  /** True if the extracted values satisfy the criterion; values is empty if the element is. */
  boolean test(List<IBase> values);

  /**
   * The value-index keys of which every matching resource holds at least one (an OR-list), or empty
   * when the index can't narrow the criterion (negations, {@code :text}, {@code :contains}, {@code
   * :missing}, {@code :below}/{@code :above}): those are evaluated on every candidate.
   */
  default Optional<List<IndexKey>> indexKeys() {
    return Optional.empty();
  }

  /** {@code :missing=true|false}. */
  static Criterion missing(boolean missing) {
    return values -> values.isEmpty() == missing;
  }
}
