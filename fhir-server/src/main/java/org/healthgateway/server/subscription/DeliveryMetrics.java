package org.healthgateway.server.subscription;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters {@code gateway.subscription.deliveries{channel, outcome}}: {@code success}, {@code
 * retry} (an attempt failed and another is scheduled), {@code failure} (gave up) and {@code
 * dropped} (too many pending deliveries).
 */
final class DeliveryMetrics {
  static final String NAME = "gateway.subscription.deliveries";

  private final MeterRegistry meters;

  DeliveryMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  void success(SubscriptionSpec.Channel channel) {
    counter(channel, "success").increment();
  }

  void retry(SubscriptionSpec.Channel channel) {
    counter(channel, "retry").increment();
  }

  void failure(SubscriptionSpec.Channel channel) {
    counter(channel, "failure").increment();
  }

  void dropped(SubscriptionSpec.Channel channel) {
    counter(channel, "dropped").increment();
  }

  private Counter counter(SubscriptionSpec.Channel channel, String outcome) {
    return Counter.builder(NAME)
        .description("Subscription notification deliveries by outcome")
        .tag("channel", channel.code())
        .tag("outcome", outcome)
        .register(meters);
  }
}
