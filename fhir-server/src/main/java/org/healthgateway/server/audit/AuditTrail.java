package org.healthgateway.server.audit;

import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;

/** Where the FHIR layer reports who accessed which patient's data, and how it ended. */
public interface AuditTrail {
  AuditTrail NONE = (requester, meta, action, refusal) -> {};

  /**
   * Reports one access to one version.
   *
   * @param action {@code read}, {@code vread}, {@code search}, {@code include}, {@code history}, an
   *     operation's name
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

  /**
   * Reports a key release: {@code releaser} (the patient, or the node on the patient's behalf) gave
   * {@code recipient} the keys of these versions under {@code consent}. Logged even when the
   * releaser is the patient: the access log shows who can now read what.
   *
   * @param onBehalfOf the patient the node released for, or null when the patient did
   */
  default void released(
      String releaser,
      String onBehalfOf,
      String recipient,
      String consent,
      List<VersionMeta> versions) {
    accessed(recipient, versions, "release");
  }
}
