package org.healthgateway.server.search;

import org.hl7.fhir.instance.model.api.IBaseResource;

/** One repetition of a search parameter: its values' OR-list, ANDed with the other clauses. */
record Clause(ParamPath path, Criterion criterion) {

  boolean matches(IBaseResource resource) {
    return criterion.test(path.extract(resource));
  }
}
