package org.healthgateway.server.audit;

import java.util.List;
import org.healthgateway.server.store.Write;

/** Where the access log's AuditEvents go: the record store, which seals them for the patient. */
@FunctionalInterface
public interface EventWriter {
  /**
   * Writes the events as one batch signed by {@code author}; {@code patients} names each event's
   * patient. Either all are durable when this returns or it throws and none is.
   */
  void write(List<Write> events, List<String> patients, String author) throws Exception;
}
