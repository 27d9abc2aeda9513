package org.healthgateway.server.subscription;

import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** Delivers notifications of one channel type. Implementations never block the caller. */
interface NotificationChannel {

  /**
   * Queues a notification.
   *
   * @param subscription the subscription to notify; its owner can read {@code meta}
   * @param meta the version that matched
   * @param resource its plaintext content, held in memory only
   */
  void deliver(SubscriptionSpec subscription, VersionMeta meta, IBaseResource resource);
}
