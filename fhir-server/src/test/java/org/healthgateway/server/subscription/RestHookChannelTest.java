package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestHookChannelTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final Queue<HttpRequest> sent = new ConcurrentLinkedQueue<>();
  private final VersionMeta consent =
      Fixtures.meta("Consent", "c1", 1, Fixtures.PRACTITIONER_B, "demo-patient-p");

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A transport answering the given statuses in turn, then 200; -1 is an I/O error. */
  private RestHookChannel.Transport answering(int... statuses) {
    AtomicInteger next = new AtomicInteger();
    return request -> {
      sent.add(request);
      int i = next.getAndIncrement();
      int status = i < statuses.length ? statuses[i] : 200;
      return status < 0
          ? CompletableFuture.failedFuture(new java.io.IOException("connection refused"))
          : CompletableFuture.completedFuture(status);
    };
  }

  private RestHookChannel channel(RestHookChannel.Transport transport, int maxAttempts) {
    return new RestHookChannel(
        Fixtures.FHIR,
        transport,
        scheduler,
        new Backoff(Duration.ofMillis(1), maxAttempts),
        new DeliveryMetrics(meters),
        100);
  }

  private static SubscriptionSpec spec(String endpoint, String payload) {
    Subscription subscription = Fixtures.restHook("s1", PROPOSED_FOR_P, endpoint);
    subscription.getChannel().setPayload(payload).addHeader("Authorization: Bearer app-secret");
    return new SubscriptionValidator(Fixtures.SEARCH).validate(subscription, PATIENT_P, 1).spec();
  }

  private double count(String outcome) {
    var counter =
        meters.find(DeliveryMetrics.NAME).tag("channel", "rest-hook").tag("outcome", outcome);
    return counter.counter() == null ? 0 : counter.counter().count();
  }

  @Test
  void deliver_failsTwiceThenSucceeds_retriesUntilTheThirdAttempt() {
    RestHookChannel channel = channel(answering(500, -1), 6);

    channel.deliver(
        spec("http://localhost:9/hook", null), consent, Fixtures.proposedConsent("c1", PATIENT_P));

    await().atMost(Duration.ofSeconds(10)).until(() -> count("success") == 1);
    assertThat(sent).hasSize(3);
    assertThat(count("retry")).isEqualTo(2);
    assertThat(count("failure")).isZero();
    assertThat(channel.pending()).isZero();
  }

  @Test
  void deliver_alwaysFailing_givesUpAfterMaxAttempts() {
    RestHookChannel channel = channel(answering(500, 503, 502, 404), 4);

    channel.deliver(
        spec("http://localhost:9/hook", null), consent, Fixtures.proposedConsent("c1", PATIENT_P));

    await().atMost(Duration.ofSeconds(10)).until(() -> count("failure") == 1);
    assertThat(sent).hasSize(4);
    assertThat(count("retry")).isEqualTo(3);
    assertThat(count("success")).isZero();
    assertThat(channel.pending()).isZero();
  }

  @Test
  void request_withoutPayload_isAnEmptyPingWithTheChannelHeaders() {
    HttpRequest request =
        channel(answering(), 1)
            .request(
                spec("https://app.example.org/hook", null),
                consent,
                Fixtures.proposedConsent("c1", PATIENT_P));

    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.bodyPublisher().orElseThrow().contentLength()).isZero();
    assertThat(request.headers().firstValue("Authorization")).hasValue("Bearer app-secret");
    assertThat(request.headers().firstValue(RestHookChannel.ID_HEADER)).hasValue("s1");
    assertThat(request.headers().firstValue(RestHookChannel.RESOURCE_HEADER)).isEmpty();
  }

  @Test
  void request_payloadToHttps_carriesTheResource() {
    HttpRequest request =
        channel(answering(), 1)
            .request(
                spec("https://app.example.org/hook", "application/fhir+json"),
                consent,
                Fixtures.proposedConsent("c1", PATIENT_P));

    assertThat(body(request)).contains("\"resourceType\":\"Consent\"").contains("proposed");
    assertThat(request.headers().firstValue("Content-Type"))
        .hasValue("application/fhir+json; charset=UTF-8");
    assertThat(request.headers().firstValue(RestHookChannel.RESOURCE_HEADER))
        .hasValue("Consent/c1/_history/1");
  }

  @Test
  void request_payloadToPlainHttpElsewhere_sendsOnlyTheReference() {
    HttpRequest request =
        channel(answering(), 1)
            .request(
                spec("http://app.example.org/hook", "application/fhir+json"),
                consent,
                Fixtures.proposedConsent("c1", PATIENT_P));

    assertThat(request.bodyPublisher().orElseThrow().contentLength()).isZero();
    assertThat(request.headers().firstValue(RestHookChannel.RESOURCE_HEADER))
        .hasValue("Consent/c1/_history/1");
  }

  @Test
  void mayCarryContent_onlyHttpsOrLoopback() {
    assertThat(RestHookChannel.mayCarryContent(URI.create("https://a.example/h"))).isTrue();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://localhost:8080/h"))).isTrue();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://127.0.0.1:8080/h"))).isTrue();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://[::1]:8080/h"))).isTrue();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://10.0.0.1/h"))).isFalse();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://a.example/h"))).isFalse();
    assertThat(RestHookChannel.mayCarryContent(URI.create("http://localhost.evil.example/h")))
        .isFalse();
  }

  @Test
  void backoff_defaults_doublesFromOneSecondForSixAttempts() {
    Backoff backoff = Backoff.defaults();
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 2; backoff.mayRetryAfter(attempt - 1); attempt++) {
      delays.add(backoff.delayBefore(attempt));
    }
    assertThat(delays)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16));
  }

  private static String body(HttpRequest request) {
    StringBuilder text = new StringBuilder();
    request
        .bodyPublisher()
        .orElseThrow()
        .subscribe(
            new Flow.Subscriber<ByteBuffer>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(ByteBuffer item) {
                text.append(java.nio.charset.StandardCharsets.UTF_8.decode(item));
              }

              @Override
              public void onError(Throwable throwable) {}

              @Override
              public void onComplete() {}
            });
    return text.toString();
  }
}
