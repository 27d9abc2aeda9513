package org.healthgateway.server.fhir;

import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;

/**
 * A check of one batch entry before it runs (SMART scopes), so that a refused entry is answered in
 * its own response entry while the others run: a batch's entries are independent.
 */
@FunctionalInterface
public interface BatchEntryCheck {
  BatchEntryCheck NONE = () -> entry -> {};

  /**
   * The check bound to the current request's credentials; called on the request thread, the
   * returned check may run on another. It refuses an entry with an HTTP exception.
   */
  Consumer<BundleEntryComponent> forCurrentRequest();
}
