package org.healthgateway.server.subscription;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.subscription.SubscriptionSpec.Channel;
import org.healthgateway.server.subscription.TokenVerifier.TokenUser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The FHIR R4 websocket channel (R4 §2.46.7.2): the client sends {@code bind <id>}, the server
 * answers {@code bound <id>} and then sends {@code ping <id>} on each notification.
 *
 * <p>Authentication, which R4 leaves open: the bearer token comes with the handshake ({@code
 * ?access_token=} or an {@code Authorization: Bearer} header) or as a first message {@code auth
 * <token>}. A bind is accepted only when the token's {@code fhirUser} owns the subscription; a ping
 * goes only to a session whose token has not expired. Errors are {@code error <message>}.
 */
final class SubscriptionSocketHandler extends TextWebSocketHandler implements NotificationChannel {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionSocketHandler.class);
  static final String TOKEN_ATTRIBUTE = "gateway.access-token";
  private static final String USER_ATTRIBUTE = "gateway.token-user";
  static final int MAX_BINDS_PER_SESSION = 100;
  private static final int SEND_TIME_LIMIT_MS = 10_000;
  private static final int BUFFER_LIMIT_BYTES = 64 * 1024;

  private final SubscriptionRegistry registry;
  private final TokenVerifier tokens;
  private final Executor sender;
  private final DeliveryMetrics metrics;
  private final Clock clock;
  private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> bindings = new ConcurrentHashMap<>();

  SubscriptionSocketHandler(
      SubscriptionRegistry registry,
      TokenVerifier tokens,
      Executor sender,
      DeliveryMetrics metrics,
      Clock clock) {
    this.registry = registry;
    this.tokens = tokens;
    this.sender = sender;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws IOException {
    WebSocketSession safe =
        new ConcurrentWebSocketSessionDecorator(session, SEND_TIME_LIMIT_MS, BUFFER_LIMIT_BYTES);
    sessions.put(session.getId(), safe);
    Object token = session.getAttributes().get(TOKEN_ATTRIBUTE);
    if (token instanceof String value) {
      authenticate(safe, value);
    }
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message)
      throws IOException {
    WebSocketSession safe = sessions.getOrDefault(session.getId(), session);
    String text = message.getPayload().strip();
    int space = text.indexOf(' ');
    String command = space < 0 ? text : text.substring(0, space);
    String argument = space < 0 ? "" : text.substring(space + 1).strip();
    switch (command) {
      case "auth" -> authenticate(safe, argument);
      case "bind" -> bind(safe, argument);
      default -> send(safe, "error unknown command; expected 'auth <token>' or 'bind <id>'");
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    sessions.remove(session.getId());
    bindings.values().forEach(ids -> ids.remove(session.getId()));
  }

  private void authenticate(WebSocketSession session, String token) throws IOException {
    Optional<TokenUser> user = tokens.verify(token);
    if (user.isEmpty()) {
      send(session, "error invalid or expired access token");
      session.close(CloseStatus.POLICY_VIOLATION.withReason("invalid access token"));
      return;
    }
    session.getAttributes().put(USER_ATTRIBUTE, user.get());
  }

  private void bind(WebSocketSession session, String id) throws IOException {
    TokenUser user = (TokenUser) session.getAttributes().get(USER_ATTRIBUTE);
    if (user == null || user.expiredAt(clock.instant())) {
      send(session, "error authenticate first: 'auth <token>' or ?access_token=");
      return;
    }
    Optional<SubscriptionSpec> subscription = registry.get(id);
    // One answer for unknown, foreign and non-websocket subscriptions: no probing of ids.
    if (subscription.isEmpty()
        || subscription.get().channel() != Channel.WEBSOCKET
        || !subscription.get().owner().equals(user.fhirUser())) {
      send(session, "error no websocket subscription " + printable(id) + " of " + user.fhirUser());
      return;
    }
    long bound = bindings.values().stream().filter(ids -> ids.contains(session.getId())).count();
    if (bound >= MAX_BINDS_PER_SESSION) {
      send(session, "error at most " + MAX_BINDS_PER_SESSION + " binds per connection");
      return;
    }
    bindings.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(session.getId());
    send(session, "bound " + id);
  }

  @Override
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a concurrent set: removal is safe
  public void deliver(SubscriptionSpec subscription, VersionMeta meta, IBaseResource resource) {
    Set<String> bound = bindings.get(subscription.id());
    if (bound == null) {
      return;
    }
    for (String sessionId : bound) {
      WebSocketSession session = sessions.get(sessionId);
      if (session == null) {
        bound.remove(sessionId);
        continue;
      }
      try {
        sender.execute(() -> ping(session, subscription));
      } catch (RejectedExecutionException e) {
        metrics.dropped(Channel.WEBSOCKET);
      }
    }
  }

  private void ping(WebSocketSession session, SubscriptionSpec subscription) {
    TokenUser user = (TokenUser) session.getAttributes().get(USER_ATTRIBUTE);
    try {
      if (user == null || user.expiredAt(clock.instant())) {
        send(session, "error access token expired");
        session.close(CloseStatus.POLICY_VIOLATION.withReason("access token expired"));
        metrics.failure(Channel.WEBSOCKET);
        return;
      }
      if (!user.fhirUser().equals(subscription.owner())) {
        // The subscription changed hands since the bind: the old owner hears nothing more.
        bindings.getOrDefault(subscription.id(), Set.of()).remove(session.getId());
        return;
      }
      send(session, "ping " + subscription.id());
      metrics.success(Channel.WEBSOCKET);
    } catch (IOException | RuntimeException e) {
      metrics.failure(Channel.WEBSOCKET);
      LOG.info("Subscription/{}: websocket ping failed: {}", subscription.id(), e.toString());
    }
  }

  private static void send(WebSocketSession session, String text) throws IOException {
    if (session.isOpen()) {
      session.sendMessage(new TextMessage(text));
    }
  }

  private static String printable(String id) {
    String trimmed = id.length() > 64 ? id.substring(0, 64) : id;
    return trimmed.replaceAll("[^A-Za-z0-9\\-.]", "?");
  }
}
