package org.healthgateway.server.subscription;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.subscription.SubscriptionSpec.Channel;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FHIR R4 rest-hook: POSTs to the subscription's endpoint with its headers, asynchronously, and
 * retries a failed attempt (I/O error, timeout or a status other than 2xx) on the {@link Backoff}
 * schedule. Pending retries live in memory only: a restart drops them. In the server every attempt
 * first passes the {@link EndpointPolicy} ({@link #checking}); redirects are never followed.
 *
 * <p>Body: none when the subscription has no payload (a ping). With a payload, the matched resource
 * in that format, but only to an {@code https} or loopback endpoint; to a plain-http endpoint
 * elsewhere the body stays empty and the header {@value #RESOURCE_HEADER} names the version, so
 * plaintext never crosses a network in clear. Every request carries {@value #ID_HEADER}.
 */
final class RestHookChannel implements NotificationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(RestHookChannel.class);
  static final String ID_HEADER = "X-Subscription-Id";
  static final String RESOURCE_HEADER = "X-Subscription-Resource";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Sends one request and completes with the HTTP status, or exceptionally on I/O failure. */
  @FunctionalInterface
  interface Transport {
    CompletableFuture<Integer> send(HttpRequest request);
  }

  private final FhirContext fhir;
  private final Transport transport;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final DeliveryMetrics metrics;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();

  RestHookChannel(
      FhirContext fhir,
      Transport transport,
      ScheduledExecutorService scheduler,
      Backoff backoff,
      DeliveryMetrics metrics,
      int maxPending) {
    this.fhir = fhir;
    this.transport = transport;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.metrics = metrics;
    this.maxPending = maxPending;
  }

  /** A transport over {@link HttpClient}: 5 s to connect, no redirects. */
  static Transport httpClient() {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return request ->
        client
            .sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .thenApply(r -> r.statusCode());
  }

  /**
   * A transport that checks the endpoint with the policy before every attempt, retries included,
   * and sends nothing to a refused one: a name may resolve to another address than when the
   * subscription was written (DNS rebinding). The check resolves the name on {@code lookups}, not
   * on the delivery scheduler, so a slow resolver does not hold up other deliveries; the JVM's
   * address cache ({@code networkaddress.cache.ttl}, 30 s by default) then gives the HTTP client
   * the addresses just checked.
   */
  static Transport checking(EndpointPolicy policy, Executor lookups, Transport inner) {
    return request ->
        CompletableFuture.supplyAsync(() -> policy.check(request.uri()), lookups)
            .thenCompose(
                refusal ->
                    refusal.isEmpty()
                        ? inner.send(request)
                        : CompletableFuture.failedFuture(
                            new IOException("endpoint refused: " + refusal.get().detail())));
  }

  @Override
  public void deliver(SubscriptionSpec subscription, VersionMeta meta, IBaseResource resource) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      metrics.dropped(Channel.REST_HOOK);
      LOG.warn("Subscription/{}: too many pending deliveries, dropped", subscription.id());
      return;
    }
    try {
      scheduler.execute(() -> start(subscription, meta, resource));
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      metrics.dropped(Channel.REST_HOOK);
    }
  }

  /** The request every attempt sends; built once so retries send the same bytes. */
  HttpRequest request(SubscriptionSpec subscription, VersionMeta meta, IBaseResource resource) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(subscription.endpoint())
            .timeout(REQUEST_TIMEOUT)
            .header(ID_HEADER, subscription.id());
    for (String header : subscription.headers()) {
      int colon = header.indexOf(':');
      builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    String payload = subscription.payload();
    if (payload == null) {
      return builder.POST(HttpRequest.BodyPublishers.noBody()).build();
    }
    builder.header(RESOURCE_HEADER, meta.versionedReference());
    if (!mayCarryContent(subscription.endpoint())) {
      return builder.POST(HttpRequest.BodyPublishers.noBody()).build();
    }
    String body =
        payload.endsWith("xml")
            ? fhir.newXmlParser().encodeResourceToString(resource)
            : fhir.newJsonParser().encodeResourceToString(resource);
    return builder
        .header("Content-Type", payload + "; charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** True for https, or for a loopback endpoint (localhost or a loopback IP literal). */
  static boolean mayCarryContent(URI endpoint) {
    if ("https".equalsIgnoreCase(endpoint.getScheme())) {
      return true;
    }
    String host = endpoint.getHost().toLowerCase(Locale.ROOT);
    if (host.equals("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    // Only IP literals: never resolve a name here (no DNS lookup on the writing path).
    if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private void start(SubscriptionSpec subscription, VersionMeta meta, IBaseResource resource) {
    HttpRequest request;
    try {
      request = request(subscription, meta, resource);
    } catch (RuntimeException e) {
      pending.decrementAndGet();
      metrics.failure(Channel.REST_HOOK);
      LOG.warn("Subscription/{}: cannot build the rest-hook request", subscription.id(), e);
      return;
    }
    attempt(subscription.id(), request, 1);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the callback handles both outcomes itself
  private void attempt(String subscriptionId, HttpRequest request, int attempt) {
    CompletableFuture<Integer> sent;
    try {
      sent = transport.send(request);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (status, error) -> {
          if (error == null && status / 100 == 2) {
            pending.decrementAndGet();
            metrics.success(Channel.REST_HOOK);
            return;
          }
          String why = error != null ? error.toString() : "HTTP " + status;
          retryOrGiveUp(subscriptionId, request, attempt, why);
        });
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the retry is an attempt(): see there
  private void retryOrGiveUp(String subscriptionId, HttpRequest request, int attempt, String why) {
    if (!backoff.mayRetryAfter(attempt)) {
      pending.decrementAndGet();
      metrics.failure(Channel.REST_HOOK);
      LOG.warn(
          "Subscription/{}: rest-hook delivery failed after {} attempts ({})",
          subscriptionId,
          attempt,
          why);
      return;
    }
    metrics.retry(Channel.REST_HOOK);
    Duration delay = backoff.delayBefore(attempt + 1);
    LOG.info(
        "Subscription/{}: rest-hook attempt {} failed ({}), retrying in {}",
        subscriptionId,
        attempt,
        why,
        delay);
    try {
      scheduler.schedule(
          () -> attempt(subscriptionId, request, attempt + 1),
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      metrics.dropped(Channel.REST_HOOK);
    }
  }

  int pending() {
    return pending.get();
  }
}
