package org.healthgateway.server.subscription;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.healthgateway.server.search.SearchQuery;

/**
 * One validated Subscription resource version, as the notifier uses it.
 *
 * @param id the Subscription's logical id
 * @param version its version on the ledger
 * @param owner the user who wrote that version ({@code Patient/p}); notified only of what it can
 *     read
 * @param active true for status {@code active} or {@code requested}
 * @param query the parsed criteria
 * @param channel {@code rest-hook} or {@code websocket}
 * @param endpoint the rest-hook URL; null for websocket
 * @param payload the MIME type of the rest-hook payload; null for none (a ping)
 * @param headers rest-hook headers as {@code Name: value}
 * @param end when the subscription stops, or null
 */
record SubscriptionSpec(
    String id,
    long version,
    String owner,
    boolean active,
    SearchQuery query,
    Channel channel,
    URI endpoint,
    String payload,
    List<String> headers,
    Instant end) {

  /** The channel types this server delivers. */
  enum Channel {
    REST_HOOK("rest-hook"),
    WEBSOCKET("websocket");

    private final String code;

    Channel(String code) {
      this.code = code;
    }

    String code() {
      return code;
    }
  }

  SubscriptionSpec {
    headers = List.copyOf(headers);
  }

  /** True if the subscription is to be notified at {@code now}. */
  boolean isLive(Instant now) {
    return active && (end == null || now.isBefore(end));
  }
}
