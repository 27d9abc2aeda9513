package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.fixtures.ConsentRequests;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A patient is told at once when a practitioner asks for their data: FHIR R4 Subscriptions on
 * proposed Consents over a websocket and a rest-hook (retried with backoff), kept across a restart,
 * and never for data the subscriber holds no key for.
 */
@Order(6)
class SubscriptionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CRITERIA = "Consent?patient=Patient/demo-patient-p&status=proposed";
  private static final String HOOK_SECRET = "hook-secret";

  private static GatewayProcess gateway;
  private static HttpServer hookServer;
  private static final BlockingQueue<HookCall> hookCalls = new LinkedBlockingQueue<>();
  private static final AtomicInteger hookFailuresLeft = new AtomicInteger(2);

  private record HookCall(
      int attempt, int status, Map<String, List<String>> headers, String body) {}

  @BeforeAll
  static void start() throws IOException {
    // The loopback hook server below is allowed explicitly; everything else needs https to a
    // public address (and the tests never send traffic to one).
    gateway =
        GatewayProcess.create(
                "subscription", "--gateway.subscriptions.allowed-endpoints=http://127.0.0.1:*")
            .start();
    AtomicInteger attempts = new AtomicInteger();
    hookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hookServer.createContext("/hook", exchange -> answerHook(exchange, attempts.incrementAndGet()));
    hookServer.start();
  }

  @AfterAll
  static void stop() {
    if (hookServer != null) {
      hookServer.stop(0);
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Fails while failures are left (500), then answers 204; records every call. */
  private static void answerHook(HttpExchange exchange, int attempt) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    int status = hookFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 204;
    hookCalls.add(new HookCall(attempt, status, Map.copyOf(exchange.getRequestHeaders()), body));
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Test
  void patientSubscriptions_consentRequestedByPractitioner_notifyOwnerOnlyAndSurviveRestart()
      throws Exception {
    String websocketId = create(GatewayProcess.PATIENT_P, websocketSubscription());
    String hookId =
        create(
            GatewayProcess.PATIENT_P,
            restHookSubscription(
                "http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook"));
    String foreignId = create(GatewayProcess.PATIENT_Q, websocketSubscription());
    assertThat(read(GatewayProcess.PATIENT_P, websocketId).getStatus())
        .as("a requested subscription is activated")
        .isEqualTo(Subscription.SubscriptionStatus.ACTIVE);

    try (Socket p = Socket.withQueryToken(gateway, GatewayProcess.PATIENT_P);
        Socket q = Socket.withAuthMessage(gateway, GatewayProcess.PATIENT_Q)) {
      p.send("bind " + websocketId);
      assertThat(p.next()).isEqualTo("bound " + websocketId);
      q.send("bind " + websocketId);
      assertThat(q.next()).as("Q binding P's subscription").startsWith("error");
      q.send("bind " + foreignId);
      assertThat(q.next()).isEqualTo("bound " + foreignId);

      String consent = proposeConsent();

      assertThat(p.next()).isEqualTo("ping " + websocketId);
      HookCall third = awaitHookCall(3);
      assertThat(third.status()).isEqualTo(204);
      assertThat(header(third, "X-Subscription-Id")).isEqualTo(hookId);
      assertThat(header(third, "Authorization")).isEqualTo("Bearer " + HOOK_SECRET);
      assertThat(header(third, "X-Subscription-Resource")).startsWith(consent + "/_history/");
      assertThat(third.body()).contains("\"resourceType\":\"Consent\"").contains("proposed");
      // By now the ping and three hook attempts are through: Q, without a key, got nothing.
      assertThat(q.poll(Duration.ofSeconds(1))).as("message to Q").isNull();
    }

    gateway.stop();
    gateway.start();
    hookCalls.clear();
    try (Socket p = Socket.withQueryToken(gateway, GatewayProcess.PATIENT_P)) {
      p.send("bind " + websocketId);
      assertThat(p.next()).isEqualTo("bound " + websocketId);

      proposeConsent();

      assertThat(p.next()).as("ping after restart").isEqualTo("ping " + websocketId);
      assertThat(awaitHookCall(1).status()).as("rest-hook after restart").isEqualTo(204);
    }
  }

  @Test
  void createSubscription_invalidCriteriaOrChannel_is422() {
    Subscription badCriteria = websocketSubscription().setCriteria("Consent?colour=red");
    Subscription badEndpoint = restHookSubscription("ftp://127.0.0.1/hook");
    for (Subscription subscription : List.of(badCriteria, badEndpoint)) {
      Response response = post(GatewayProcess.PATIENT_P, subscription);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(422);
      Fhir.assertOperationOutcome(response);
    }
  }

  @Test
  void createRestHook_toInternalOrAmbiguousEndpoints_is422BeforeAnyConnection() {
    int port = hookServer.getAddress().getPort();
    for (String endpoint :
        List.of(
            "http://169.254.169.254/latest/meta-data/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/hook",
            "https://192.168.0.1/hook",
            "https://[fd00::1]/hook",
            "https://[::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "http://2130706433/hook",
            "http://a@10.0.0.1/hook",
            "https://127.0.0.1:" + port + "/hook",
            "http://localhost:" + port + "/hook")) {
      Response response = post(GatewayProcess.PATIENT_P, quietRestHook(endpoint));

      assertThat(response.statusCode()).as("%s: %s", endpoint, response.asString()).isEqualTo(422);
      assertThat(Fhir.outcomeText(Fhir.assertOperationOutcome(response)))
          .as(endpoint)
          .contains("Subscription.channel.endpoint");
    }
  }

  @Test
  void deleteSubscription_byAnotherUser_is403() {
    String id = create(GatewayProcess.PATIENT_P, websocketSubscription());

    Response response = Fhir.as(gateway, GatewayProcess.PATIENT_Q).delete("/Subscription/" + id);

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
  }

  @Test
  void anotherUsersSubscription_readVreadHistoryAndVerify_are403WithoutItsContent() {
    String id = create(GatewayProcess.PATIENT_P, quietRestHook(hookUrl()));
    String deleted = create(GatewayProcess.PATIENT_P, websocketSubscription());
    Response deletion =
        Fhir.as(gateway, GatewayProcess.PATIENT_P).delete("/Subscription/" + deleted);
    assertThat(deletion.statusCode()).as(deletion.asString()).isEqualTo(200);

    for (String path :
        List.of(
            "/Subscription/" + id,
            "/Subscription/" + id + "/_history/1",
            "/Subscription/" + id + "/_history",
            "/Subscription/" + id + "/_history/1/$verify",
            "/Subscription/" + deleted,
            "/Subscription/" + deleted + "/_history")) {
      Response response = Fhir.as(gateway, GatewayProcess.PATIENT_Q).get(path);

      assertThat(response.statusCode())
          .as("GET %s by Q: %s", path, response.asString())
          .isEqualTo(403);
      Fhir.assertOperationOutcome(response);
      assertThat(response.asString()).doesNotContain(HOOK_SECRET).doesNotContain("/hook");
    }
    assertThat(read(GatewayProcess.PATIENT_P, id).getChannel().getHeader())
        .as("the owner still reads its headers")
        .extracting(h -> h.getValue())
        .containsExactly("Authorization: Bearer " + HOOK_SECRET);
  }

  @Test
  void searchAndTypeHistory_byAnotherUser_showOnlyTheirOwnWithAnHonestTotal() {
    String mine = create(GatewayProcess.PATIENT_Q, websocketSubscription());
    String theirs = create(GatewayProcess.PATIENT_P, quietRestHook(hookUrl()));
    String theirsDeleted = create(GatewayProcess.PATIENT_P, websocketSubscription());
    Fhir.as(gateway, GatewayProcess.PATIENT_P).delete("/Subscription/" + theirsDeleted);

    for (String query :
        List.of(
            "/Subscription",
            "/Subscription?_total=accurate",
            "/Subscription?_id=" + theirs + "," + mine,
            "/Subscription?status=active",
            "/Subscription?type=rest-hook",
            "/Subscription/_history")) {
      Response response = Fhir.as(gateway, GatewayProcess.PATIENT_Q).get(query);
      assertThat(response.statusCode()).as("%s: %s", query, response.asString()).isEqualTo(200);
      Bundle bundle = Fhir.parse(Bundle.class, response.asString());
      List<String> ids =
          bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();

      assertThat(ids).as(query).doesNotContain(theirs, theirsDeleted);
      assertThat(response.asString()).as(query).doesNotContain(HOOK_SECRET);
      if (!query.contains("_history")) {
        assertThat(bundle.getTotal()).as("total of %s", query).isEqualTo(ids.size());
      }
      if (!query.contains("rest-hook")) {
        assertThat(ids).as(query).contains(mine);
      }
    }
  }

  @Test
  void include_ofAnotherUsersSubscription_leavesItOut() {
    String theirs = create(GatewayProcess.PATIENT_P, quietRestHook(hookUrl()));
    String list =
        """
        {"resourceType":"List","status":"current","mode":"working",
         "entry":[{"item":{"reference":"Subscription/%s"}}]}
        """
            .formatted(theirs);
    Response created =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .body(list)
            .post("/List");
    assertThat(created.statusCode()).as("create List: %s", created.asString()).isEqualTo(201);
    String listId = Fhir.relativeId(created.header("Location")).substring("List/".length());

    Response response =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .get("/List?_id=" + listId + "&_include=List:item");

    assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
    Bundle bundle = Fhir.parse(Bundle.class, response.asString());
    assertThat(bundle.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .as("entries of %s", response.asString())
        .containsExactly("List");
    assertThat(response.asString()).doesNotContain(HOOK_SECRET);
  }

  @Test
  void ledger_afterRestHookSubscription_holdsNoClearHeaderOrEndpoint() throws Exception {
    String secret = "hook-token-" + java.util.UUID.randomUUID();
    String path = "/hook-" + java.util.UUID.randomUUID();
    Subscription subscription =
        quietRestHook("http://127.0.0.1:" + hookServer.getAddress().getPort() + path);
    subscription.getChannel().addHeader("X-Hook-Token: " + secret);
    String id = create(GatewayProcess.PATIENT_P, subscription);

    // Stop the server so that everything it buffers is on disk.
    gateway.stop();
    PlaintextScanner scanner = new PlaintextScanner();
    scanner.add(secret, "channel.header");
    scanner.add(path, "channel.endpoint");
    Optional<PlaintextScanner.Hit> hit = scanner.scan(gateway.dataDir());
    gateway.start();

    assertThat(hit).as("subscription plaintext at rest").isEmpty();
    assertThat(read(GatewayProcess.PATIENT_P, id).getChannel().getHeader())
        .as("the owner's subscription is opened after the restart")
        .extracting(h -> h.getValue())
        .contains("X-Hook-Token: " + secret);
  }

  /** A rest-hook on data this test never writes: it adds no calls to the hook server. */
  private static Subscription quietRestHook(String endpoint) {
    Subscription subscription = restHookSubscription(endpoint);
    subscription.setCriteria("Observation?code=http://loinc.org|8867-4");
    return subscription;
  }

  private static String hookUrl() {
    return "http://127.0.0.1:" + hookServer.getAddress().getPort() + "/hook";
  }

  private static Subscription websocketSubscription() {
    Subscription subscription = new Subscription();
    subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
    subscription.setReason("Tell me when someone asks for my data");
    subscription.setCriteria(CRITERIA);
    subscription.getChannel().setType(Subscription.SubscriptionChannelType.WEBSOCKET);
    return subscription;
  }

  private static Subscription restHookSubscription(String endpoint) {
    Subscription subscription = websocketSubscription();
    subscription
        .getChannel()
        .setType(Subscription.SubscriptionChannelType.RESTHOOK)
        .setEndpoint(endpoint)
        .setPayload("application/fhir+json")
        .addHeader("Authorization: Bearer " + HOOK_SECRET);
    return subscription;
  }

  private static Response post(String clientId, Subscription subscription) {
    return Fhir.as(gateway, clientId)
        .contentType(Fhir.JSON_TYPE)
        .body(Fhir.json().encodeResourceToString(subscription))
        .post("/Subscription");
  }

  /** Creates a subscription and returns its id. */
  private static String create(String clientId, Subscription subscription) {
    Response response = post(clientId, subscription);
    assertThat(response.statusCode())
        .as("create Subscription: %s", response.asString())
        .isEqualTo(201);
    return Fhir.relativeId(response.header("Location")).substring("Subscription/".length());
  }

  private static Subscription read(String clientId, String id) {
    Response response = Fhir.as(gateway, clientId).get("/Subscription/" + id);
    assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
    return Fhir.parse(Subscription.class, response.asString());
  }

  /** Practitioner B asks for P's allergies; returns {@code Consent/id}. */
  private static String proposeConsent() {
    Consent consent =
        ConsentRequests.withCategories(
            ConsentRequests.proposal("Patient/demo-patient-p", "Practitioner/demo-practitioner-b"),
            "allergies");
    Response response =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_B)
            .contentType(Fhir.JSON_TYPE)
            .body(Fhir.json().encodeResourceToString(consent))
            .post("/Consent");
    assertThat(response.statusCode()).as("propose Consent: %s", response.asString()).isEqualTo(201);
    return Fhir.relativeId(response.header("Location"));
  }

  private static HookCall awaitHookCall(int attempt) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int seen = 0; seen < attempt; seen++) {
      HookCall call = hookCalls.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(call).as("rest-hook call %d of %d within %s", seen + 1, attempt, WAIT).isNotNull();
      if (seen + 1 == attempt) {
        return call;
      }
    }
    throw new AssertionError("unreachable");
  }

  private static String header(HookCall call, String name) {
    return call.headers().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0))
        .findFirst()
        .orElse(null);
  }

  /** A client of the FHIR R4 websocket channel that queues every text message it receives. */
  private static final class Socket implements WebSocket.Listener, AutoCloseable {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static Socket withQueryToken(GatewayProcess gateway, String clientId) {
      return open(gateway, "?access_token=" + gateway.token(clientId), null);
    }

    static Socket withAuthMessage(GatewayProcess gateway, String clientId) {
      return open(gateway, "", "auth " + gateway.token(clientId));
    }

    private static Socket open(GatewayProcess gateway, String query, String firstMessage) {
      Socket client = new Socket();
      URI uri =
          URI.create(gateway.baseUrl().replace("http://", "ws://") + "/ws/subscriptions" + query);
      client.socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .buildAsync(uri, client)
              .join();
      if (firstMessage != null) {
        client.send(firstMessage);
      }
      return client;
    }

    void send(String text) {
      socket.sendText(text, true).join();
    }

    /** The next message, failing the test if none comes in time. */
    String next() throws InterruptedException {
      String message = poll(WAIT);
      assertThat(message).as("websocket message within %s", WAIT).isNotNull();
      return message;
    }

    String poll(Duration timeout) throws InterruptedException {
      return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }
}
