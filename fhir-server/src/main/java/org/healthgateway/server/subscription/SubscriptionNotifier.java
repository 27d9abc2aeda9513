package org.healthgateway.server.subscription;

import java.util.List;
import java.util.Map;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.WriteListener;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told of every durable write: keeps the registry current with written Subscriptions and hands each
 * matching (subscription, version) to its channel. Matching runs in memory on the writing thread;
 * delivery is the channel's, asynchronous.
 */
final class SubscriptionNotifier implements WriteListener {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionNotifier.class);
  static final String SUBSCRIPTION = "Subscription";

  private final SubscriptionRegistry registry;
  private final Map<SubscriptionSpec.Channel, NotificationChannel> channels;

  SubscriptionNotifier(
      SubscriptionRegistry registry, Map<SubscriptionSpec.Channel, NotificationChannel> channels) {
    this.registry = registry;
    this.channels = Map.copyOf(channels);
  }

  /**
   * Another node's versions reach this node's subscriptions like its own; another node's
   * Subscriptions are that node's to serve.
   */
  @Override
  public void foreignWritten(List<VersionMeta> written, List<IBaseResource> resources) {
    List<VersionMeta> metas = new java.util.ArrayList<>();
    List<IBaseResource> opened = new java.util.ArrayList<>();
    for (int i = 0; i < written.size(); i++) {
      VersionMeta meta = written.get(i);
      if (!SUBSCRIPTION.equals(meta.type()) && (resources.get(i) != null || meta.deleted())) {
        metas.add(meta);
        opened.add(resources.get(i));
      }
    }
    written(metas, opened);
  }

  @Override
  public void written(List<VersionMeta> written, List<IBaseResource> resources) {
    for (int i = 0; i < written.size(); i++) {
      VersionMeta meta = written.get(i);
      IBaseResource resource = i < resources.size() ? resources.get(i) : null;
      try {
        if (SUBSCRIPTION.equals(meta.type())) {
          registry.apply(meta, resource);
        }
        for (SubscriptionSpec subscription : registry.matching(meta, resource)) {
          channels.get(subscription.channel()).deliver(subscription, meta, resource);
        }
      } catch (RuntimeException e) {
        LOG.error("Notifying subscriptions of {} failed", meta.versionedReference(), e);
      }
    }
  }
}
