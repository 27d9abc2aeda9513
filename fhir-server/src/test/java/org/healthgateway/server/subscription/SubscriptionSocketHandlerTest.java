package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_Q;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.subscription.TokenVerifier.TokenUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

class SubscriptionSocketHandlerTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Map<String, TokenUser> TOKENS =
      Map.of(
          "token-p", new TokenUser(PATIENT_P, NOW.plusSeconds(300)),
          "token-q", new TokenUser(PATIENT_Q, NOW.plusSeconds(300)),
          "expired-p", new TokenUser(PATIENT_P, NOW.minusSeconds(1)));

  private final SubscriptionRegistry registry =
      new SubscriptionRegistry(
          new SubscriptionValidator(Fixtures.SEARCH), (meta, user) -> true, CLOCK);
  private final SubscriptionSocketHandler handler =
      new SubscriptionSocketHandler(
          registry,
          token -> Optional.ofNullable(TOKENS.get(token)).filter(u -> !u.expiredAt(NOW)),
          Runnable::run,
          new DeliveryMetrics(new SimpleMeterRegistry()),
          CLOCK);
  private final VersionMeta consent =
      Fixtures.meta("Consent", "c1", 1, Fixtures.PRACTITIONER_B, "demo-patient-p");

  @BeforeEach
  void subscriptions() {
    registry.apply(
        Fixtures.meta("Subscription", "ws-p", 1, PATIENT_P, null),
        Fixtures.websocket("ws-p", PROPOSED_FOR_P));
    registry.apply(
        Fixtures.meta("Subscription", "hook-p", 1, PATIENT_P, null),
        Fixtures.restHook("hook-p", PROPOSED_FOR_P, "https://x.example/h"));
  }

  /** A session recording what the server sends; the handshake token, if any, as attribute. */
  private static Session connect(SubscriptionSocketHandler handler, String id, String token)
      throws Exception {
    WebSocketSession session = mock(WebSocketSession.class);
    Map<String, Object> attributes = new ConcurrentHashMap<>();
    if (token != null) {
      attributes.put(SubscriptionSocketHandler.TOKEN_ATTRIBUTE, token);
    }
    List<String> received = new CopyOnWriteArrayList<>();
    when(session.getId()).thenReturn(id);
    when(session.getAttributes()).thenReturn(attributes);
    when(session.isOpen()).thenReturn(true);
    doAnswer(call -> received.add(((TextMessage) call.getArgument(0)).getPayload()))
        .when(session)
        .sendMessage(any());
    handler.afterConnectionEstablished(session);
    return new Session(session, received);
  }

  private record Session(WebSocketSession session, List<String> received) {}

  private void say(Session session, String text) throws Exception {
    handler.handleMessage(session.session(), new TextMessage(text));
  }

  @Test
  void bind_withHandshakeTokenOfOwner_isBoundAndPinged() throws Exception {
    Session p = connect(handler, "1", "token-p");

    say(p, "bind ws-p");
    handler.deliver(registry.get("ws-p").orElseThrow(), consent, null);

    assertThat(p.received()).containsExactly("bound ws-p", "ping ws-p");
  }

  @Test
  void bind_afterAuthMessage_isBound() throws Exception {
    Session p = connect(handler, "1", null);

    say(p, "auth token-p");
    say(p, "bind ws-p");

    assertThat(p.received()).containsExactly("bound ws-p");
  }

  @Test
  void bind_withoutToken_isRefused() throws Exception {
    Session anonymous = connect(handler, "1", null);

    say(anonymous, "bind ws-p");
    handler.deliver(registry.get("ws-p").orElseThrow(), consent, null);

    assertThat(anonymous.received()).singleElement().asString().startsWith("error authenticate");
  }

  @Test
  void bind_ofAnotherUsersOrUnknownOrRestHookSubscription_isRefusedAlike() throws Exception {
    Session q = connect(handler, "1", "token-q");
    Session p = connect(handler, "2", "token-p");

    say(q, "bind ws-p");
    say(p, "bind nope");
    say(p, "bind hook-p");
    handler.deliver(registry.get("ws-p").orElseThrow(), consent, null);

    assertThat(q.received()).singleElement().asString().startsWith("error no websocket");
    assertThat(p.received()).hasSize(2).allMatch(m -> m.startsWith("error no websocket"));
  }

  @Test
  void auth_withInvalidToken_closesTheConnection() throws Exception {
    Session p = connect(handler, "1", "forged");

    assertThat(p.received()).singleElement().asString().startsWith("error invalid");
    org.mockito.Mockito.verify(p.session()).close(any());
  }

  @Test
  void deliver_afterOwnershipMoved_sendsNoPing() throws Exception {
    Session p = connect(handler, "1", "token-p");
    say(p, "bind ws-p");
    registry.apply(
        Fixtures.meta("Subscription", "ws-p", 2, PATIENT_Q, null),
        Fixtures.websocket("ws-p", PROPOSED_FOR_P));

    handler.deliver(registry.get("ws-p").orElseThrow(), consent, null);

    assertThat(p.received()).containsExactly("bound ws-p");
  }

  @Test
  void unknownCommand_answersAnError() throws Exception {
    Session p = connect(handler, "1", "token-p");

    say(p, "hello");

    assertThat(p.received()).singleElement().asString().startsWith("error unknown command");
  }
}
