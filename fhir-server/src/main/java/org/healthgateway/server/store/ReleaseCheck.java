package org.healthgateway.server.store;

import java.time.Instant;
import org.healthgateway.keys.envelope.VersionMeta;

/**
 * Whether another node may have released a version's data key to a recipient: an active consent of
 * the patient that may let the recipient read it at the release's time.
 */
@FunctionalInterface
public interface ReleaseCheck {
  /** No consents known: no release of another node counts. */
  ReleaseCheck NONE = (patientId, recipient, version, at) -> false;

  boolean mayRelease(String patientId, String recipient, VersionMeta version, Instant at);
}
