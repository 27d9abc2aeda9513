package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.fixtures.ConsentDecisions;
import org.healthgateway.fixtures.KeyRegistrations;
import org.healthgateway.fixtures.KeyReleases;
import org.healthgateway.keys.wallet.PatientWallet;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Parameters;

/**
 * The gateway's consent flow as load phases, in the sequence of ConsentScenarioTest: the patient
 * registers fresh wallet keys; a practitioner writes R x N vital-signs Observations of the patient
 * (round r's all dated minute r); then, for each of R rounds, another practitioner proposes a
 * Consent for the vital signs of that round's date, the patient approves it with the wallet's
 * signature, fetches its {@code $wrapped-keys}, re-wraps them in the wallet and posts the {@code
 * $release}; the practitioner reads every released Observation; the patient revokes the consents.
 * Each stage runs for all rounds before the next, so that each phase row covers one span of time;
 * the rounds' {@code dataPeriod}s keep their scopes apart although their consents are active
 * together.
 */
final class ConsentFlow {

  /** One round's step of a stage; it times the server request itself. */
  @FunctionalInterface
  private interface Step {
    void run(ConsentRound round, PhaseStats stats) throws Exception;
  }

  /** A slice of a round's Observations, written as one transaction Bundle. */
  private record Chunk(ConsentRound round, int first, int count) {
    @Override
    public String toString() {
      return "Observations " + first + ".." + (first + count - 1) + " of " + round;
    }
  }

  private final ConsentMessages messages;
  private final ConsentClients clients;
  private final int versions;
  private final int bundleSize;
  private final int concurrency;
  private final ServerCpu cpu;
  private final List<ConsentRound> rounds = new ArrayList<>();
  private final RequestOutcomes outcomes = new RequestOutcomes();
  private PatientWallet wallet;

  /**
   * @param versions resource versions each round's consent covers
   * @param bundleSize Observations per transaction Bundle when writing them
   * @param concurrency concurrent requests when writing and reading
   * @param repeat rounds
   * @param cpu the gateway's process, read around each stage ({@link ServerCpu#NONE}: not read)
   */
  ConsentFlow(
      ConsentClients clients,
      int versions,
      int bundleSize,
      int concurrency,
      int repeat,
      ServerCpu cpu) {
    if (versions < 1 || versions > ReleaseStatement.MAX_KEYS || bundleSize < 1 || repeat < 1) {
      throw new IllegalArgumentException(
          "--consent-versions must be 1.."
              + ReleaseStatement.MAX_KEYS
              + " (one release), --consent-bundle and --repeat at least 1");
    }
    this.messages = new ConsentMessages();
    this.clients = clients;
    this.versions = versions;
    this.bundleSize = bundleSize;
    this.concurrency = concurrency;
    this.cpu = cpu;
    // Data dates in the past, a minute apart, unique to this run: a rerun against the same
    // gateway does not reach the data of earlier runs.
    Instant first =
        Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(repeat + 1, ChronoUnit.MINUTES);
    for (int r = 0; r < repeat; r++) {
      rounds.add(new ConsentRound(r + 1, first.plus(r, ChronoUnit.MINUTES)));
    }
  }

  void run(List<PhaseStats> results) throws Exception {
    clients.authenticate();
    results.add(stage("consent-register", rounds.subList(0, 1), this::register));
    if (wallet == null) {
      rounds.forEach(r -> r.failedIn = "consent-register");
    }
    results.add(writeData());
    results.add(stage("consent-propose", live(), this::propose));
    results.add(stage("consent-approve", live(), this::approve));
    results.add(stage("consent-wrapped-keys", live(), this::fetchWrappedKeys));
    results.add(stage("consent-rewrap", live(), this::rewrap));
    results.add(stage("consent-release", live(), this::release));
    results.add(read());
    // Also the rounds that failed later: no consent of the run stays active.
    results.add(
        stage("consent-revoke", rounds.stream().filter(r -> r.approved).toList(), this::revoke));
  }

  private List<ConsentRound> live() {
    return rounds.stream().filter(ConsentRound::live).toList();
  }

  /** Runs a step for each round, one at a time: latencies without contention. */
  private PhaseStats stage(String name, List<ConsentRound> items, Step step)
      throws InterruptedException {
    PhaseStats stats = new PhaseStats(name, items.size(), cpu);
    Workers.run(
        items,
        1,
        stats,
        round -> {
          try {
            step.run(round, stats);
          } catch (Exception e) {
            round.fail(stats);
            outcomes.firstOfPhase(stats, round + " -> " + e);
            throw e;
          }
        });
    return stats;
  }

  private void register(ConsentRound unused, PhaseStats stats) throws Exception {
    PatientWallet fresh = PatientWallet.generate(clients.patientRef());
    byte[] body = messages.encode(KeyRegistrations.registration(fresh));
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.patient().post("$register-keys", body);
    if (outcomes.ok(stats, "$register-keys", response, System.nanoTime() - t0, 1)) {
      wallet = fresh;
    }
  }

  /** consent-setup: every round's Observations in transaction Bundles, concurrently. */
  private PhaseStats writeData() throws InterruptedException {
    List<Chunk> chunks = new ArrayList<>();
    for (ConsentRound round : live()) {
      for (int first = 0; first < versions; first += bundleSize) {
        chunks.add(new Chunk(round, first, Math.min(bundleSize, versions - first)));
      }
    }
    PhaseStats stats = new PhaseStats("consent-setup", chunks.size(), cpu);
    Workers.run(chunks, concurrency, stats, chunk -> write(chunk, stats));
    return stats;
  }

  private void write(Chunk chunk, PhaseStats stats) throws IOException, InterruptedException {
    ConsentRound round = chunk.round();
    byte[] body =
        messages.encode(
            messages.observations(
                clients.patientRef(), round.dataDate, chunk.first(), chunk.count()));
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.writer().post("", body);
    long nanos = System.nanoTime() - t0;
    if (!outcomes.ok(stats, chunk.toString(), response, nanos, -1)) {
      round.fail(stats);
      return;
    }
    int failed = 0;
    String firstFailure = null;
    for (JsonNode entry : FhirHttp.parse(response.body()).path("entry")) {
      JsonNode r = entry.path("response");
      if (r.path("status").asText().startsWith("2") && r.hasNonNull("location")) {
        round.versions.add(versionedReference(r.path("location").asText()));
      } else {
        failed++;
        firstFailure = firstFailure == null ? r.toString() : firstFailure;
      }
    }
    if (failed > 0) {
      round.fail(stats);
      outcomes.error(
          stats, nanos, chunk + " -> " + failed + " entries failed, first: " + firstFailure);
    } else {
      stats.record(nanos, chunk.count());
    }
  }

  private void propose(ConsentRound round, PhaseStats stats) throws Exception {
    Consent proposal = messages.proposal(clients.patientRef(), clients.actorRef(), round.dataDate);
    byte[] body = messages.encode(proposal);
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.actor().post("Consent", body);
    if (!outcomes.ok(stats, "POST Consent of " + round, response, System.nanoTime() - t0, 1)) {
      round.fail(stats);
      return;
    }
    String location = response.headers().firstValue("Location").orElse("");
    round.consentId = LoadPhases.typeAndId(location);
    int history = location.indexOf("/_history/");
    if (history >= 0) {
      round.proposedVersion = Long.parseLong(location.substring(history + "/_history/".length()));
    }
    // The patient app shows the proposal and signs it as active, outside the timed request.
    round.active = proposal.copy();
    round.active.setId(round.consentId);
    round.active.setStatus(Consent.ConsentState.ACTIVE);
    round.approval = wallet.sign(ConsentDecisions.canonical(round.active, round.proposedVersion));
  }

  private void approve(ConsentRound round, PhaseStats stats) throws Exception {
    byte[] body =
        messages.encode(
            ConsentDecisions.signedTransaction(
                clients.base(),
                round.consentId,
                round.active,
                clients.patientRef(),
                round.approval));
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.patient().post("", body);
    round.approved = outcomes.ok(stats, "approve " + round, response, System.nanoTime() - t0, 1);
    if (!round.approved) {
      round.fail(stats);
    }
  }

  private void fetchWrappedKeys(ConsentRound round, PhaseStats stats) throws Exception {
    String what = "GET " + round.consentId + "/$wrapped-keys";
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.patient().get(round.consentId + "/$wrapped-keys");
    long nanos = System.nanoTime() - t0;
    if (!outcomes.ok(stats, what, response, nanos, -1)) {
      round.fail(stats);
      return;
    }
    Parameters.ParametersParameterComponent release =
        KeyReleases.releaseFor(
            messages.parse(Parameters.class, response.body()), clients.actorRef());
    List<PatientWallet.HeldKey> all = release == null ? List.of() : KeyReleases.heldKeys(release);
    // Only this round's versions: keys of earlier, failed runs are under retired wallet keys.
    round.keys = all.stream().filter(k -> round.versions.contains(k.reference())).toList();
    if (release != null) {
      round.actorKey = JWK.parse(KeyReleases.value(release, "actorKey"));
    }
    if (round.keys.size() == round.versions.size() && round.actorKey != null) {
      stats.record(nanos, all.size());
      return;
    }
    outcomes.error(
        stats,
        nanos,
        String.format(
            "%s -> %d of the round's %d versions for %s (%d keys in all)",
            what, round.keys.size(), round.versions.size(), clients.actorRef(), all.size()));
    if (round.keys.isEmpty() || round.actorKey == null) {
      round.fail(stats);
    }
  }

  /** Client side, in the patient's wallet: unwrap each key, re-wrap it for the actor, sign. */
  private void rewrap(ConsentRound round, PhaseStats stats) throws Exception {
    long t0 = System.nanoTime();
    round.release = wallet.release(round.consentId, clients.actorRef(), round.actorKey, round.keys);
    stats.record(System.nanoTime() - t0, round.keys.size());
  }

  private void release(ConsentRound round, PhaseStats stats) throws Exception {
    byte[] body = messages.encode(KeyReleases.release(round.release));
    String what = "POST " + round.consentId + "/$release of " + round.keys.size() + " keys";
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.patient().post(round.consentId + "/$release", body);
    long nanos = System.nanoTime() - t0;
    if (!outcomes.ok(stats, what, response, nanos, -1)) {
      round.fail(stats);
      return;
    }
    Parameters.ParametersParameterComponent released =
        messages.parse(Parameters.class, response.body()).getParameter("released");
    int count = released == null ? -1 : Integer.parseInt(released.getValue().primitiveValue());
    if (count == round.keys.size()) {
      stats.record(nanos, count);
      round.released = true;
    } else {
      round.fail(stats);
      outcomes.error(stats, nanos, what + " -> released=" + count);
    }
  }

  /** consent-read: the actor reads every released Observation, {@code --concurrency} at once. */
  private PhaseStats read() throws InterruptedException {
    List<String> ids = new ArrayList<>();
    for (ConsentRound round : rounds) {
      if (round.released) {
        for (PatientWallet.HeldKey key : round.keys) {
          ids.add(key.reference().substring(0, key.reference().indexOf("/_history/")));
        }
      }
    }
    PhaseStats stats = new PhaseStats("consent-read", ids.size(), cpu);
    Workers.run(
        ids,
        concurrency,
        stats,
        id -> {
          long t0 = System.nanoTime();
          HttpResponse<byte[]> response = clients.actor().get(id);
          outcomes.ok(stats, "GET " + id, response, System.nanoTime() - t0, 1);
        });
    return stats;
  }

  private void revoke(ConsentRound round, PhaseStats stats) throws Exception {
    byte[] body = messages.encode(ConsentDecisions.revocation(round.active));
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = clients.patient().put(round.consentId, body);
    outcomes.ok(stats, "revoke " + round, response, System.nanoTime() - t0, 1);
  }

  /** {@code [base/]Type/id/_history/v} to {@code Type/id/_history/v}, the wrapped keys' form. */
  private static String versionedReference(String location) {
    String[] parts = location.split("/", -1);
    int n = parts.length;
    return n >= 4 && parts[n - 2].equals("_history")
        ? String.join("/", parts[n - 4], parts[n - 3], "_history", parts[n - 1])
        : location;
  }
}
