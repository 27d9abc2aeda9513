package org.healthgateway.server.search;

import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;

/** A test of one parameter's OR-list over the values a resource yields for it. */
@FunctionalInterface
interface Criterion {

  /** True if the extracted values satisfy the criterion; values is empty if the element is. */
  boolean test(List<IBase> values);

  /** {@code :missing=true|false}. */
  static Criterion missing(boolean missing) {
    return values -> values.isEmpty() == missing;
  }
}
