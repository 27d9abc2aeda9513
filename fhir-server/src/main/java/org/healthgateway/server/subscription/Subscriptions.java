package org.healthgateway.server.subscription;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.search.SearchEngine;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.subscription.SubscriptionSpec.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.socket.WebSocketHandler;

/**
 * FHIR R4 Subscriptions ({@code rest-hook} and {@code websocket}) over the record store: the
 * registry of live subscriptions, reloaded from the ledger at start-up, the write listener that
 * matches new versions, the delivery channels and the HAPI interceptor that validates Subscription
 * writes. Build one with {@link #start}; {@link #close} stops delivery.
 */
public final class Subscriptions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  /** Path of the websocket endpoint, outside {@code /fhir} and its security chain. */
  public static final String WEBSOCKET_PATH = "/ws/subscriptions";

  static final int MAX_PENDING_REST_HOOKS = 10_000;
  private static final int MAX_QUEUED_PINGS = 10_000;

  private final SubscriptionInterceptor interceptor;
  private final SubscriptionSocketHandler socketHandler;
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService pingSender;
  private final ExecutorService lookups;

  private Subscriptions(
      SubscriptionInterceptor interceptor,
      SubscriptionSocketHandler socketHandler,
      ScheduledThreadPoolExecutor scheduler,
      ExecutorService pingSender,
      ExecutorService lookups) {
    this.interceptor = interceptor;
    this.socketHandler = socketHandler;
    this.scheduler = scheduler;
    this.pingSender = pingSender;
    this.lookups = lookups;
  }

  /**
   * Loads every live Subscription from the store, registers the write listener and starts the
   * delivery threads.
   *
   * @param search the node's search engine, which parses and matches the criteria
   * @param allowedEndpoints {@code gateway.subscriptions.allowed-endpoints}: rest-hook endpoint
   *     patterns accepted besides https to public addresses ({@link EndpointPattern})
   * @throws IllegalArgumentException if a pattern is not valid
   */
  public static Subscriptions start(
      FhirContext fhir,
      RecordStore store,
      SearchEngine search,
      JwtDecoder tokens,
      MeterRegistry meters,
      List<String> allowedEndpoints) {
    EndpointPolicy endpoints = new EndpointPolicy(allowedEndpoints, InetAddress::getAllByName);
    Clock clock = Clock.systemUTC();
    SubscriptionValidator validator = new SubscriptionValidator(search);
    SubscriptionRegistry registry = new SubscriptionRegistry(validator, store::canRead, clock);
    DeliveryMetrics metrics = new DeliveryMetrics(meters);
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(1, daemonThreads("subscription-rest-hook"));
    scheduler.setRemoveOnCancelPolicy(true);
    ExecutorService pingSender =
        new ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED_PINGS),
            daemonThreads("subscription-websocket"));
    ExecutorService lookups =
        new ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING_REST_HOOKS),
            daemonThreads("subscription-endpoint-check"));
    RestHookChannel restHook =
        new RestHookChannel(
            fhir,
            RestHookChannel.checking(endpoints, lookups, RestHookChannel.httpClient()),
            scheduler,
            Backoff.defaults(),
            metrics,
            MAX_PENDING_REST_HOOKS);
    SubscriptionSocketHandler socketHandler =
        new SubscriptionSocketHandler(
            registry, TokenVerifier.of(tokens), pingSender, metrics, clock);
    store.addListener(
        new SubscriptionNotifier(
            registry, Map.of(Channel.REST_HOOK, restHook, Channel.WEBSOCKET, socketHandler)));
    load(store, registry);
    Gauge.builder("gateway.subscription.active", registry, SubscriptionRegistry::liveCount)
        .description("Live FHIR Subscriptions")
        .register(meters);
    return new Subscriptions(
        new SubscriptionInterceptor(
            validator, endpoints, registry, store.index(), Requester::current),
        socketHandler,
        scheduler,
        pingSender,
        lookups);
  }

  /**
   * Opens each live Subscription with its owner's grant key, which this node can always unwrap (its
   * own copy of the grant), as ConsentService opens Consents; clear versions that a node before
   * sealing wrote open as they are.
   */
  static void load(RecordStore store, SubscriptionRegistry registry) {
    int loaded = 0;
    for (VersionMeta meta : store.index().currentOfType(SubscriptionNotifier.SUBSCRIPTION)) {
      if (meta.deleted()) {
        continue;
      }
      try {
        registry.apply(meta, store.read(meta, meta.author()));
        loaded++;
      } catch (Exception e) {
        LOG.warn("Subscription/{} could not be loaded: {}", meta.id(), e.toString());
      }
    }
    LOG.info("Loaded {} subscriptions; {} live", loaded, registry.liveCount());
  }

  /** The HAPI interceptor to register on the FHIR server. */
  public Object interceptor() {
    return interceptor;
  }

  /** The handler of {@link #WEBSOCKET_PATH}. */
  public WebSocketHandler socketHandler() {
    return socketHandler;
  }

  /** Stops delivery; pending rest-hook retries are dropped. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    pingSender.shutdownNow();
    lookups.shutdownNow();
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
