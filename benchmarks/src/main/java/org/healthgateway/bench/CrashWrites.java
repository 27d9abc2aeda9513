package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The write burst of one crash round: each client, on its own thread and token, writes as fast as
 * it can until the gateway is killed, and records every version the gateway acknowledged with a
 * 2xx: its id and version from {@code Location}, {@code ETag} or the transaction response, and the
 * marker its content carries. A client stops at its first I/O failure, which the kill causes.
 *
 * <p>A freshly started gateway takes seconds over its first writes (validator set-up, an author's
 * first keys for a patient, cold code), longer than a short burst. So each client first writes one
 * resource of each kind, one at a time, and the burst (and the clock of the kill) starts when every
 * client has done so. Those warm-up writes are acknowledged writes like the others.
 *
 * <p>The mix, drawn per request from the client's seeded random: 40% Observation creates, 20%
 * AllergyIntolerance creates (both in the patient's compartment), 10% updates of a clinical
 * resource the client created in this or an earlier round (a new version), 15% Location or
 * Organization creates, 15% transaction Bundles of one Observation, one AllergyIntolerance and one
 * Location.
 */
final class CrashWrites {

  /** One acknowledged resource version and the marker its content must carry. */
  record Ack(
      int round, int client, String kind, String type, String id, int version, String marker) {
    String versionPath() {
      return type + "/" + id + "/_history/" + version;
    }
  }

  private static final Pattern VERSION_PATH =
      Pattern.compile("([A-Z][A-Za-z]+)/([A-Za-z0-9.-]{1,64})/_history/(\\d{1,9})$");
  private static final Pattern ETAG = Pattern.compile("^W/\"(\\d{1,9})\"$");
  private static final int MAX_PROBLEM_SAMPLES = 5;

  /** Warm-up requests may wait for the validator's and the JIT's first work on a busy machine. */
  private static final Duration WARM_UP_REQUEST = Duration.ofMinutes(5);

  private static final Duration BURST_REQUEST = Duration.ofSeconds(30);

  private final int round;
  private final String patient;
  private final List<List<Ack>> owned;
  private final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean killing = new AtomicBoolean();
  private final AtomicInteger unexpected = new AtomicInteger();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private CountDownLatch warm;
  private final CountDownLatch go = new CountDownLatch(1);

  /**
   * @param owned per client, the clinical resources it created in earlier rounds (updated here:
   *     this burst adds its own)
   */
  CrashWrites(int round, String patient, List<List<Ack>> owned) {
    this.round = round;
    this.patient = patient;
    this.owned = owned;
  }

  /** Starts one thread per client, which warms up; client {@code c} draws from {@code seed + c}. */
  void start(List<FhirHttp> clients, long seed) {
    warm = new CountDownLatch(clients.size());
    for (int c = 0; c < clients.size(); c++) {
      int client = c;
      FhirHttp http = clients.get(c);
      SplittableRandom random = new SplittableRandom(seed + c);
      Thread t = new Thread(() -> writeUntilGone(client, http, random), "crash-writer-" + c);
      t.start();
      threads.add(t);
    }
  }

  /**
   * Waits until every client has warmed up, then lets them all write.
   *
   * @return false if that did not happen within {@code timeout} (the clients are let go anyway)
   */
  boolean burst(Duration timeout) throws InterruptedException {
    boolean ready = warm.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    go.countDown();
    return ready;
  }

  /** From now on a failed request is expected: the kill comes next. */
  void killing() {
    killing.set(true);
  }

  /** Waits for every client to stop; interrupts those still running after {@code timeout}. */
  void await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (t.isAlive()) {
        problem("client " + t.getName() + " still running " + timeout + " after the kill");
        t.interrupt();
        t.join();
      }
    }
  }

  List<Ack> acks() {
    synchronized (acks) {
      return List.copyOf(acks);
    }
  }

  /** Non-2xx answers and I/O failures before the kill, which a healthy gateway never gives. */
  int unexpected() {
    return unexpected.get();
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  private void writeUntilGone(int client, FhirHttp http, SplittableRandom random) {
    try {
      http.requestTimeout(WARM_UP_REQUEST);
      warmUp(client, http);
      http.requestTimeout(BURST_REQUEST);
    } catch (IOException e) {
      problem("client " + client + ", warming up: " + e);
      return;
    } catch (InterruptedException e) {
      return;
    } finally {
      warm.countDown();
    }
    try {
      go.await();
    } catch (InterruptedException e) {
      return;
    }
    List<Ack> mine = owned.get(client);
    for (int n = 0; !Thread.currentThread().isInterrupted(); n++) {
      String marker = "r" + round + "-c" + client + "-n" + n;
      int dice = random.nextInt(100);
      try {
        if (dice < 40) {
          create(client, http, "create", CrashResources.observation(patient, marker, 50 + n % 100));
        } else if (dice < 60) {
          create(client, http, "create", CrashResources.allergy(patient, marker));
        } else if (dice < 70 && !mine.isEmpty()) {
          update(client, http, mine.get(random.nextInt(mine.size())), marker);
        } else if (dice < 85) {
          create(
              client,
              http,
              "directory",
              n % 2 == 0 ? CrashResources.location(marker) : CrashResources.organization(marker));
        } else {
          transaction(client, http, marker);
        }
      } catch (IOException e) {
        if (!killing.get()) {
          problem("client " + client + ", before the kill: " + e);
        }
        return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void warmUp(int client, FhirHttp http) throws IOException, InterruptedException {
    String marker = "r" + round + "-c" + client + "-warm-up";
    create(client, http, "create", CrashResources.observation(patient, marker + "-0", 70));
    create(client, http, "create", CrashResources.allergy(patient, marker + "-1"));
    create(client, http, "directory", CrashResources.location(marker + "-2"));
    transaction(client, http, marker + "-3");
  }

  private void create(int client, FhirHttp http, String kind, ObjectNode resource)
      throws IOException, InterruptedException {
    String type = resource.path("resourceType").asText();
    HttpResponse<byte[]> response = http.post(type, CrashResources.bytes(resource));
    if (accepted(kind + " " + type, response)) {
      Matcher m = VERSION_PATH.matcher(response.headers().firstValue("Location").orElse(""));
      if (m.find() && m.group(1).equals(type)) {
        acknowledged(client, kind, type, m.group(2), Integer.parseInt(m.group(3)), resource);
      } else {
        problem(kind + " " + type + ": 2xx without a Location of a version");
      }
    }
  }

  private void update(int client, FhirHttp http, Ack earlier, String marker)
      throws IOException, InterruptedException {
    ObjectNode resource =
        earlier.type().equals("Observation")
            ? CrashResources.observation(patient, marker, 50 + earlier.version() % 100)
            : CrashResources.allergy(patient, marker);
    resource.put("id", earlier.id());
    String path = earlier.type() + "/" + earlier.id();
    HttpResponse<byte[]> response = http.put(path, CrashResources.bytes(resource));
    if (accepted("update " + path, response)) {
      Matcher m = ETAG.matcher(response.headers().firstValue("ETag").orElse(""));
      if (m.matches()) {
        acknowledged(
            client, "update", earlier.type(), earlier.id(), Integer.parseInt(m.group(1)), resource);
      } else {
        problem("update " + path + ": 2xx without a version ETag");
      }
    }
  }

  private void transaction(int client, FhirHttp http, String marker)
      throws IOException, InterruptedException {
    List<ObjectNode> resources =
        List.of(
            CrashResources.observation(patient, marker + "-t0", 60),
            CrashResources.allergy(patient, marker + "-t1"),
            CrashResources.location(marker + "-t2"));
    HttpResponse<byte[]> response =
        http.post("", CrashResources.bytes(CrashResources.transaction(resources)));
    if (!accepted("transaction", response)) {
      return;
    }
    JsonNode entries = FhirHttp.parse(response.body()).path("entry");
    if (entries.size() != resources.size()) {
      problem("transaction: 2xx with " + entries.size() + " entries for " + resources.size());
      return;
    }
    for (int i = 0; i < resources.size(); i++) {
      String type = resources.get(i).path("resourceType").asText();
      Matcher m = VERSION_PATH.matcher(entries.get(i).path("response").path("location").asText());
      if (m.find() && m.group(1).equals(type)) {
        acknowledged(
            client,
            "transaction",
            type,
            m.group(2),
            Integer.parseInt(m.group(3)),
            resources.get(i));
      } else {
        problem("transaction: entry " + i + " without a location of a version");
      }
    }
  }

  private boolean accepted(String what, HttpResponse<byte[]> response) {
    if (response.statusCode() / 100 == 2) {
      return true;
    }
    if (!killing.get()) {
      problem(
          what
              + " -> HTTP "
              + response.statusCode()
              + " "
              + RequestOutcomes.diagnostics(response.body()));
    }
    return false;
  }

  private void acknowledged(
      int client, String kind, String type, String id, int version, ObjectNode resource) {
    Ack ack = new Ack(round, client, kind, type, id, version, CrashResources.marker(resource));
    acks.add(ack);
    if (!type.equals("Location") && !type.equals("Organization")) {
      owned.get(client).add(ack);
    }
  }

  private void problem(String what) {
    unexpected.incrementAndGet();
    if (problems.size() < MAX_PROBLEM_SAMPLES) {
      problems.add(what);
    }
  }
}
