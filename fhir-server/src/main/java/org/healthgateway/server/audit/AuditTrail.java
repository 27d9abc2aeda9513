package org.healthgateway.server.audit;

import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;

/** Where the FHIR layer reports who accessed which patient's data, and how it ended. */
public interface AuditTrail {
  AuditTrail NONE = (requester, meta, action, refusal) -> {};

  /**
   * Reports one access to one version.
   *
   * @param action {@code read}, {@code vread}, {@code search}, {@code everything}, {@code release},
   *     {@code consent}
   * @param refusal null when served; the reason when refused
   */
  void accessed(String requester, VersionMeta meta, String action, String refusal);

  /**
   * One interaction (a search, {@code $everything}, a release) served many versions. By default
   * each is reported on its own; a trail may record them as one event per patient.
   */
  default void accessed(String requester, List<VersionMeta> metas, String action) {
    metas.forEach(meta -> accessed(requester, meta, action, null));
  }
}
