package org.healthgateway.server.store;

import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Told of every resource version once it is durable on the ledger (subscriptions, audit, consent
 * bookkeeping). Called on the writing thread after the response is decided; must not throw and must
 * not block for long.
 */
@FunctionalInterface
public interface WriteListener {

  /**
   * Told of each durable write.
   *
   * @param written the versions just recorded, in ledger order
   * @param resources their content, same order; null for deletions. Plaintext: keep it in memory
   *     only, and hand it on only to users who hold a key for it ({@link RecordStore#canRead})
   */
  void written(List<VersionMeta> written, List<IBaseResource> resources);

  /**
   * Told of versions another node wrote on a shared ledger, once this node applied them. By default
   * nothing happens: the writing node audited and answered them.
   *
   * @param written the versions, in ledger order
   * @param resources what this node opened of them with a key it holds, same order; null for
   *     deletions and for versions it holds no key for. Plaintext, as in {@link #written}
   */
  default void foreignWritten(List<VersionMeta> written, List<IBaseResource> resources) {}
}
