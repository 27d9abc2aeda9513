package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.healthgateway.conformance.AuthorizationMatrix.Outcome;
import org.healthgateway.conformance.AuthorizationMatrix.Row;
import org.healthgateway.fixtures.ConsentDecisions;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.fixtures.KeyRegistrations;
import org.healthgateway.fixtures.KeyReleases;
import org.healthgateway.keys.wallet.PatientWallet;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Proof that the rules hold: who may do what to a patient's record, cell by cell, over HTTP against
 * the packaged server. The expected outcome of every cell is written down in {@link #TABLE}:
 * columns are actors (a role with a scope), rows are interactions on named targets. One gateway and
 * one set of fixtures serve the whole table; the test runs every cell, then reports every
 * unexpected one (with the server's diagnostics) and fails if there is any, or if fewer cells ran
 * than the table defines. The report is also written to {@code target/authorization-matrix.txt}.
 *
 * <p>Set-up, in this order: seven practitioners {@code Practitioner/m-*} are registered as Backend
 * Services clients; six of them propose a Consent of P; P (custodial at this point) decides each
 * with a plain PUT; A writes the fixtures, and the write targets of {@code exp} and {@code rev} are
 * written; P revokes {@code rev}'s Consent; the test waits until {@code exp}'s Consent has ended.
 * So {@code exp} and {@code rev} did hold keys for what they read and change (checked), and are
 * refused only because their Consent is no longer active. Then the sections run in the table's
 * order: reads, subscriptions, key registration (P gets its wallet keys), consent operations, and
 * the writes, each write cell on its own target.
 *
 * <p>To read a failure: the report starts with the set-up notes and what each column is, then lists
 * every unexpected cell under its interaction (expected, observed, the OperationOutcome's
 * diagnostics, and any broken promise such as "a refused write changed it"), then repeats the table
 * with the observed value in each unexpected cell.
 */
@Order(26)
class AuthorizationMatrixTest {

  /**
   * The expected outcome of every cell. Sections run top to bottom; a row's cells run left to
   * right, except that in each row the cells expected to be refused run before those expected to
   * succeed (this matters for key registration only).
   */
  static final String TABLE =
      """
      # Columns (actors; "full" = a token without scope parameter, i.e. every registered scope):
      #   A     demo-practitioner-a, full: the author of ALG LAB IMM CND QLAB and of SUB
      #   A@P   A through an EHR launch for patient P, patient/*.cruds
      #   P     demo-patient-p, full          P*  P with patient/*.cruds
      #   Plab  P with patient/Observation.rs?category=laboratory (v2 query filter)
      #   Q     demo-patient-q, full          Q*  Q with patient/*.cruds
      #   reg   demo-registrar (gateway.registrars), full
      #   ehr   demo-ehr (Device/demo-ehr, the integration engine), full: the author of DEV
      #   none prop act corr exp rev oth: Backend Services clients (private_key_jwt) whose fhirUser
      #         is Practitioner/m-none, -proposed, -active, -correct, -expired, -revoked, -othercat,
      #         user/*.cruds. Their Consent of P: none = no Consent; prop = allergies, left proposed;
      #         act = allergies, action access, active; corr = allergies, actions access + correct,
      #         active; exp = allergies, access, active with a provision.period that has ended;
      #         rev = allergies, access, approved then revoked (inactive); oth = immunizations,
      #         access, active.
      # Targets: ALG AllergyIntolerance, LAB laboratory Observation, IMM Immunization (reason LAB),
      #   CND Condition (evidence ALG), all of P and written by A; QLAB A's laboratory Observation
      #   of Q; OWN P's own AllergyIntolerance, written by P; DEV demo-ehr's laboratory Observation
      #   of P; SUB A's Subscription; C-act a second Consent of act's, for P's conditions, approved
      #   with P's wallet just before the consent operations (so act holds none of its keys yet).
      # Outcomes: 200 201 400 403 404 = the HTTP status (batch: the status of the entry in a 200
      #   batch-response; tx: the transaction's status, and a refused one changes nothing);
      #   in / out = a 200 Bundle with / without the target, its total counting what it returns;
      #   a/b = either; - = no cell.
      # Every write is followed by the patient's look: a refused write changed nothing, an accepted
      #   one is readable by the patient and by the target's author (a broken promise = unexpected).

      interaction                | A      | A@P    | P      | P*     | Plab   | Q      | Q*     | reg    | ehr    | none   | prop   | act    | corr   | exp    | rev    | oth

      == read: fixtures written once, after the consents were decided (exp expired, rev revoked since)
      read ALG                   | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 200    | 403    | 403    | 403
      read LAB                   | 200    | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      read IMM                   | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200
      # OWN is P's own record: A is not its author and holds no consent for it (choice)
      read OWN                   | 403    | 403    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 200    | 403    | 403    | 403
      read DEV                   | 403    | 403    | 200    | 200    | 200    | 403    | 403    | 403    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      read QLAB                  | 200    | 403    | 403    | 403    | 403    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      vread ALG                  | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 200    | 403    | 403    | 403
      vread LAB                  | 200    | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      vread IMM                  | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200
      history ALG                | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | in     | in     | out    | out    | out
      history LAB                | in     | in     | in     | in     | in     | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out
      history IMM                | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | in
      history-type ALG           | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | in     | in     | out    | out    | out
      search ALG                 | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | in     | in     | out    | out    | out
      search LAB                 | in     | in     | in     | in     | in     | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out
      search IMM                 | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | in
      search-all ALG             | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | in     | in     | out    | out    | out
      search QLAB                | in     | out    | out    | out    | out    | in     | in     | out    | out    | out    | out    | out    | out    | out    | out    | out
      # oth reads IMM (immunizations) but not the LAB it includes
      _include LAB               | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out
      # act and corr read ALG (allergies) but not the CND (conditions) that revincludes
      _revinclude CND            | in     | in     | in     | in     | 403    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out
      # Plab: Patient/$everything is an operation on the Patient, and the token reads no Patient: 403
      $everything ALG            | in     | in     | in     | in     | 403    | out/403| out/403| out    | out    | out    | out    | in     | in     | out    | out    | out
      $everything LAB            | in     | in     | in     | in     | 403    | out/403| out/403| out    | out    | out    | out    | out    | out    | out    | out    | out
      $everything IMM            | in     | in     | in     | in     | 403    | out/403| out/403| out    | out    | out    | out    | out    | out    | out    | out    | in
      $verify ALG                | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 200    | 403    | 403    | 403
      $verify LAB                | 200    | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403

      == subscriptions: SUB is A's
      # A@P: its own subscription, not patient data, so the patient context does not hide it (choice)
      read SUB                   | 200    | 200    | 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404| 403/404
      search SUB                 | in     | in     | out    | out    | out/403| out    | out    | out    | out    | out    | out    | out    | out    | out    | out    | out

      == keys: P's wallet keys; in each row the refusals run first
      # keys and proof of possession for Patient/demo-patient-p, posted with another identity's token
      $register-keys for-P       | 403    | -      | -      | -      | -      | 403    | 403    | 403    | 403    | 403    | -      | -      | -      | -      | -      | -
      # full = every registered scope (register-keys among them); P* and Plab lack register-keys
      $register-keys P-first     | -      | -      | 200    | 403    | 403    | -      | -      | -      | -      | -      | -      | -      | -      | -      | -      | -
      # new keys with proof of possession only, no rotation proof signed by the current key
      $register-keys P-again     | -      | -      | 403    | 403    | -      | -      | -      | -      | -      | -      | -      | -      | -      | -      | -      | -
      # recovery: keys for P with parameter patient=Patient/demo-patient-p; only a registrar (recorded)
      $register-keys P-recovery  | 403    | -      | -      | -      | -      | 403    | 403    | 200    | 403    | 403    | -      | -      | -      | -      | -      | -

      == consent operations on C-act: act's Consent of P's conditions, approved with P's wallet just before
      $wrapped-keys C-act        | 403    | 403    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      $release C-act             | 403    | 403    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403

      == writes: every cell on its own target (ALG, LAB by A; OWN by P), written just before it; exp's and rev's while their Consents were active
      create ALG                 | 201    | 201    | 201    | 201    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201
      create LAB                 | 201    | 201    | 201    | 201    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201
      update ALG                 | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 403    | 403    | 403
      update LAB                 | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      # delete: 200 or 204 (FHIR allows both)
      delete ALG                 | 200/204| 200/204| 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200/204| 403    | 403    | 403
      delete LAB                 | 200/204| 200/204| 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403
      # P changes and deletes its own records (delete: choice); corr's consent permits correct
      update OWN                 | 403    | 403    | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 403    | 403    | 403
      delete OWN                 | 403    | 403    | 200/204| 200/204| 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200/204| 403    | 403    | 403
      cond-create ALG            | 201    | 201    | 201    | 201    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201
      # a match the actor cannot read is no match: a new resource, and the actor learns nothing
      cond-create-match ALG      | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 200    | 200    | 201    | 201    | 201
      # conditional update is refused (400) for any accepted scope; Plab (no u), Q, Q* (not their patient): 400 or 403
      cond-update ALG            | 400    | 400    | 400    | 400    | 400/403| 400/403| 400/403| 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400
      batch create ALG           | 201    | 201    | 201    | 201    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201
      batch update ALG           | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 403    | 403    | 403
      batch delete ALG           | 200/204| 200/204| 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200/204| 403    | 403    | 403
      batch cond-create ALG      | 201    | 201    | 201    | 201    | 403    | 403    | 403    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201    | 201
      batch cond-update ALG      | 400    | 400    | 400    | 400    | 400/403| 400/403| 400/403| 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400
      tx create ALG              | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 200    | 200    | 200    | 200    | 200    | 200    | 200    | 200    | 200
      tx update ALG              | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 403    | 403    | 403
      tx delete ALG              | 200    | 200    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 403    | 200    | 403    | 403    | 403
      tx cond-create ALG         | 200    | 200    | 200    | 200    | 403    | 403    | 403    | 200    | 200    | 200    | 200    | 200    | 200    | 200    | 200    | 200
      tx cond-update ALG         | 400    | 400    | 400    | 400    | 400/403| 400/403| 400/403| 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400    | 400
      """;

  /** Cells {@link #TABLE} defines: a guard against an edit that quietly drops some. */
  private static final int CELLS = 817;

  private static final List<String> COLUMNS =
      List.of(
          "A", "A@P", "P", "P*", "Plab", "Q", "Q*", "reg", "ehr", "none", "prop", "act", "corr",
          "exp", "rev", "oth");

  /** The practitioners of the consent columns, by column. */
  private static final Map<String, String> PRACTITIONERS = new LinkedHashMap<>();

  static {
    PRACTITIONERS.put("none", "m-none");
    PRACTITIONERS.put("prop", "m-proposed");
    PRACTITIONERS.put("act", "m-active");
    PRACTITIONERS.put("corr", "m-correct");
    PRACTITIONERS.put("exp", "m-expired");
    PRACTITIONERS.put("rev", "m-revoked");
    PRACTITIONERS.put("oth", "m-othercat");
  }

  private static final String P = "Patient/demo-patient-p";
  private static final String Q = "Patient/demo-patient-q";
  private static final String PRACTITIONER_SCOPE = "user/*.cruds";
  private static final Duration CONSENT_LIFETIME = Duration.ofSeconds(30);

  /** A target: its reference and the patient whose compartment it is in (null: none). */
  private record Fixture(String reference, String patient) {
    String type() {
      return reference.substring(0, reference.indexOf('/'));
    }
  }

  /** What P's wallet releases to {@code act}: the actor, its key, the keys the wallet opens. */
  private record Release(String actor, JWK actorKey, List<PatientWallet.HeldKey> keys) {}

  private static GatewayProcess gateway;
  private static AuthorizationMatrix matrix;
  private static MatrixWrites writes;
  private static final Map<String, MatrixActor> actors = new LinkedHashMap<>();
  private static final Map<String, Fixture> fixtures = new LinkedHashMap<>();
  private static final Map<String, String> consents = new LinkedHashMap<>();
  private static final Map<String, String> consentTerms = new LinkedHashMap<>();
  private static final Map<String, String> consentStates = new LinkedHashMap<>();

  /** P's registered wallet; null while P is custodial. */
  private static PatientWallet wallet;

  private static Release release;
  private static long setUpSeconds;

  @BeforeAll
  static void start() throws Exception {
    long started = System.nanoTime();
    matrix = AuthorizationMatrix.parse(TABLE);
    gateway = GatewayProcess.create("matrix");
    Map<String, ECKey> keys = writeBackendClients(gateway.secretsDir());
    gateway.start();
    defineActors(keys);
    writes = new MatrixWrites(gateway, actor("A"), actor("P"));
    Instant consentEnd = decideConsents();
    writeFixtures();
    writes.writeTargetsNow(matrix.rows().stream().map(Row::label).toList(), List.of("exp", "rev"));
    checkHeldKeysBeforeTheConsentsEnd();
    decide("rev", Consent.ConsentState.INACTIVE, c -> {});
    actor("A@P").token();
    long wait = Duration.between(Instant.now(), consentEnd).toMillis() + 1_500;
    Thread.sleep(Math.max(0, wait));
    setUpSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void table_namesEveryActorAndOnlyKnownInteractions() {
    AuthorizationMatrix table = AuthorizationMatrix.parse(TABLE);
    assertThat(table.columns()).containsExactlyElementsOf(COLUMNS);
    assertThat(table.rows()).extracting(Row::label).doesNotHaveDuplicates();
    for (Row row : table.rows()) {
      assertThat(interaction(row.label())).as("interaction of row '%s'", row.label()).isNotNull();
      for (String expected : row.expected()) {
        assertThat(expected).as("row '%s'", row.label()).matches("-|((\\d{3}|in|out)/?)+");
      }
    }
    assertThat(table.cellCount()).isEqualTo(CELLS);
  }

  @Test
  void everyCell_isAsTheTableSays() throws Exception {
    long started = System.nanoTime();
    String section = null;
    for (Row row : matrix.rows()) {
      if (!row.section().equals(section)) {
        section = row.section();
        if (section.startsWith("consent operations")) {
          try {
            prepareRelease();
          } catch (Exception | AssertionError e) {
            matrix.setUpProblem("preparing the consent operations failed: " + e);
          }
        }
      }
      Function<MatrixActor, Outcome> interaction = interaction(row.label());
      for (int column : runOrder(row)) {
        matrix.record(row, column, run(interaction, actors.get(COLUMNS.get(column))));
      }
    }
    long cellSeconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    String report =
        matrix.report(descriptions())
            + String.format(
                "%nTime: set-up %d s (of which %d s waiting for exp's Consent to end), cells %d s.%n",
                setUpSeconds, CONSENT_LIFETIME.toSeconds(), cellSeconds);
    Path file = GatewayProcess.targetDir().resolve("authorization-matrix.txt");
    Files.writeString(file, report, StandardCharsets.UTF_8);
    System.out.println(report);

    assertThat(matrix.checked()).as("cells checked").isEqualTo(matrix.cellCount());
    assertThat(matrix.cellCount()).as("cells in the table").isEqualTo(CELLS);
    assertThat(matrix.setUpProblems()).withFailMessage("%s", report).isEmpty();
    assertThat(matrix.unexpectedCells()).withFailMessage("%s", report).isEmpty();
  }

  private static Outcome run(Function<MatrixActor, Outcome> interaction, MatrixActor actor) {
    try {
      return interaction.apply(actor);
    } catch (RuntimeException | AssertionError e) {
      return Outcome.of("error", e.toString());
    }
  }

  /** The row's cells, those expected to be refused first. */
  private static List<Integer> runOrder(Row row) {
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < COLUMNS.size(); c++) {
      if (row.applies(c)) {
        order.add(c);
      }
    }
    order.sort(Comparator.comparing(c -> row.expected().get(c).matches(".*(2\\d\\d|in).*")));
    return order;
  }

  // ---------------------------------------------------------------- interactions of the table

  /** The interaction a row label names, or null if none. */
  private static Function<MatrixActor, Outcome> interaction(String label) {
    Function<MatrixActor, Outcome> write = writes.interaction(label);
    if (write != null) {
      return write;
    }
    String[] words = label.split(" ");
    if (words.length != 2) {
      return null;
    }
    String target = words[1];
    return switch (words[0]) {
      case "read" -> a -> Outcome.status(get(a, "/" + ref(target)));
      case "vread" -> a -> Outcome.status(get(a, "/" + ref(target) + "/_history/1"));
      case "$verify" -> a -> Outcome.status(get(a, "/" + ref(target) + "/_history/1/$verify"));
      case "history" -> a -> bundle(get(a, "/" + ref(target) + "/_history"), target);
      case "history-type" ->
          a -> bundle(get(a, "/" + type(target) + "/_history?_count=1000"), target);
      case "search" -> a -> bundle(get(a, search(target)), target);
      case "search-all" -> a -> bundle(get(a, "/" + type(target) + "?_count=1000"), target);
      case "_include" ->
          target.equals("LAB")
              ? a ->
                  bundle(
                      get(
                          a,
                          "/Immunization?patient="
                              + P
                              + "&_include=Immunization:reason-reference&_count=1000"),
                      target)
              : null;
      case "_revinclude" ->
          target.equals("CND")
              ? a ->
                  bundle(
                      get(
                          a,
                          "/AllergyIntolerance?patient="
                              + P
                              + "&_revinclude=Condition:evidence-detail&_count=1000"),
                      target)
              : null;
      case "$everything" -> a -> bundle(get(a, "/" + P + "/$everything?_count=1000"), target);
      case "$register-keys" -> registerKeys(target);
      case "$wrapped-keys" ->
          target.equals("C-act")
              ? a -> Outcome.status(get(a, "/" + consents.get("C-act") + "/$wrapped-keys"))
              : null;
      case "$release" -> target.equals("C-act") ? a -> release(a) : null;
      default -> null;
    };
  }

  private static Response get(MatrixActor actor, String path) {
    return actor.fhir(gateway).get(path);
  }

  private static String ref(String target) {
    Fixture fixture = fixtures.get(target);
    if (fixture == null) {
      throw new IllegalStateException("no fixture " + target + " (see the set-up problems)");
    }
    return fixture.reference();
  }

  private static String type(String target) {
    return fixtures.get(target).type();
  }

  /** The search of the target's type in the target's patient compartment. */
  private static String search(String target) {
    Fixture fixture = fixtures.get(target);
    return "/"
        + fixture.type()
        + "?"
        + (fixture.patient() == null ? "" : "patient=" + fixture.patient() + "&")
        + "_count=1000";
  }

  /** {@code in} or {@code out} for a 200 Bundle, with a problem if its total is not honest. */
  private static Outcome bundle(Response response, String target) {
    if (response.statusCode() != 200) {
      return Outcome.status(response);
    }
    Bundle bundle = Fhir.parse(Bundle.class, response.asString());
    String reference = ref(target);
    boolean present = false;
    int matches = 0;
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      Resource resource = entry.getResource();
      present |=
          (resource != null
                  && reference.equals(
                      resource.getIdElement().toUnqualifiedVersionless().getValue()))
              || (entry.hasFullUrl() && entry.getFullUrl().contains(reference));
      Bundle.SearchEntryMode mode = entry.getSearch().getMode();
      if (mode != Bundle.SearchEntryMode.INCLUDE && mode != Bundle.SearchEntryMode.OUTCOME) {
        matches++;
      }
    }
    Outcome outcome = Outcome.of(present ? "in" : "out", "");
    if (bundle.hasTotal() && bundle.getTotal() != matches) {
      outcome =
          outcome.withProblem(
              "total " + bundle.getTotal() + " but " + matches + " entries returned");
    }
    return outcome;
  }

  /**
   * {@code for-P}: a registration of fresh keys for P, posted with the actor's own token; {@code
   * P-first}, {@code P-again}: P's own registration; {@code P-recovery}: keys for P naming P in the
   * parameter {@code patient}, as a registrar recovers a patient. An accepted registration of keys
   * for P becomes P's wallet.
   */
  private static Function<MatrixActor, Outcome> registerKeys(String target) {
    if (!List.of("for-P", "P-first", "P-again", "P-recovery").contains(target)) {
      return null;
    }
    boolean recovery = target.equals("P-recovery");
    return actor -> {
      PatientWallet keys = newWallet();
      Parameters registration = registration(keys);
      if (recovery) {
        registration.addParameter("patient", P);
      }
      Response response = send(actor, registration).post("/$register-keys");
      if (response.statusCode() == 200 && (recovery || actor.fhirUser().equals(P))) {
        wallet = keys;
        matrix.note("P's wallet keys registered (" + target + ", column " + actor.column() + ")");
      }
      return Outcome.status(response);
    };
  }

  private static Parameters registration(PatientWallet keys) {
    try {
      return KeyRegistrations.registration(keys);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Posts a release of C-act signed by P's wallet (each cell its own, with a fresh grant). */
  private static Outcome release(MatrixActor actor) {
    PatientWallet signer = wallet == null ? newWallet() : wallet;
    PatientWallet.SignedRelease signed;
    try {
      signed =
          release == null
              ? signer.release(
                  consents.get("C-act"),
                  "Practitioner/m-active",
                  new ECKeyGenerator(Curve.P_256).generate().toPublicJWK(),
                  List.of())
              : signer.release(
                  consents.get("C-act"), release.actor(), release.actorKey(), release.keys());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return Outcome.status(
        send(actor, KeyReleases.release(signed)).post("/" + consents.get("C-act") + "/$release"));
  }

  /**
   * Before the consent operations: A writes a Condition of P (wrapped for P's wallet key,
   * registered in the keys section); act asks for P's conditions (C-act) and P approves with its
   * wallet, so that act holds no key of them yet; P fetches the wrapped keys of C-act, and the ones
   * P's wallet opens are what every $release cell releases.
   */
  private static void prepareRelease() throws Exception {
    String condition =
        create("A", MatrixResources.condition(P, MatrixResources.newIdentifier(), ref("ALG")));
    fixtures.put("REL", new Fixture(condition, P));
    MatrixActor act = actor("act");
    Response proposed =
        send(act, MatrixResources.proposal(P, act.fhirUser(), "conditions", "access"))
            .post("/Consent");
    if (!expectSetUp(proposed, 201, 201, "act proposes C-act (P's conditions)")) {
      return;
    }
    String id = Fhir.relativeId(proposed.header("Location"));
    consents.put("C-act", id);
    Response approved = approve(id);
    if (!expectSetUp(approved, 200, 200, "P approves C-act with its wallet")) {
      return;
    }
    matrix.note(
        "act: from the consent operations on, it also holds C-act = " + id + " (conditions)");
    Response held = get(actor("P"), "/" + id + "/$wrapped-keys");
    if (!expectSetUp(held, 200, 200, "P fetches the wrapped keys of C-act")) {
      return;
    }
    if (wallet == null) {
      matrix.setUpProblem("no wallet keys of P were accepted: nothing for P's wallet to release");
      return;
    }
    Parameters.ParametersParameterComponent part =
        Fhir.parse(Parameters.class, held.asString()).getParameter("release");
    if (part == null) {
      matrix.setUpProblem("P's $wrapped-keys of C-act has no release parameter");
      return;
    }
    List<PatientWallet.HeldKey> offered = KeyReleases.heldKeys(part);
    List<PatientWallet.HeldKey> opening = new ArrayList<>();
    for (PatientWallet.HeldKey heldKey : offered) {
      try {
        wallet.unwrap(heldKey);
        opening.add(heldKey);
      } catch (java.security.GeneralSecurityException e) {
        // Wrapped under P's custodial key, from before the wallet: not the wallet's to release.
      }
    }
    matrix.note(
        "$release: "
            + opening.size()
            + " of the "
            + offered.size()
            + " wrapped keys of C-act open with P's wallet (the others predate it)");
    if (opening.isEmpty()) {
      matrix.setUpProblem("no wrapped key of C-act opens with P's wallet");
    }
    release =
        new Release(value(part, "actor"), JWK.parse(value(part, "actorKey")), List.copyOf(opening));
  }

  /**
   * P approves a proposed Consent: with its wallet, a transaction of the active Consent and a
   * Provenance carrying P's JWS over the Consent's canonical form; custodial (no wallet), a plain
   * PUT.
   */
  private static Response approve(String id) throws Exception {
    Response read = get(actor("P"), "/" + id);
    expectSetUp(read, 200, 200, "P reads " + id);
    Consent active =
        Fhir.parse(Consent.class, read.asString()).setStatus(Consent.ConsentState.ACTIVE);
    if (wallet == null) {
      return send(actor("P"), active).put("/" + id);
    }
    long replaced = Long.parseLong(read.jsonPath().getString("meta.versionId"));
    return send(
            actor("P"), ConsentDecisions.signed(wallet, gateway.fhirBase(), id, active, replaced))
        .post("/");
  }

  private static String value(Parameters.ParametersParameterComponent part, String name) {
    return part.getPart().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .map(p -> p.getValue().primitiveValue())
        .orElse("");
  }

  // ---------------------------------------------------------------- set-up

  /** Registers the m-* practitioners as Backend Services clients, before the gateway starts. */
  private static Map<String, ECKey> writeBackendClients(Path secretsDir) throws Exception {
    Files.createDirectories(secretsDir);
    Map<String, ECKey> keys = new LinkedHashMap<>();
    List<Map<String, Object>> clients = new ArrayList<>();
    for (String id : PRACTITIONERS.values()) {
      ECKey key = SmartJwts.ecKey(id);
      keys.put(id, key);
      Map<String, Object> client = new LinkedHashMap<>();
      client.put("clientId", id);
      client.put("fhirUser", "Practitioner/" + id);
      client.put("scope", PRACTITIONER_SCOPE);
      client.put("jwks", new JWKSet(key.toPublicJWK()).toJSONObject());
      clients.add(client);
    }
    SmartBrowser.JSON.writeValue(
        secretsDir.resolve("backend-clients.json").toFile(), Map.of("clients", clients));
    return keys;
  }

  private static void defineActors(Map<String, ECKey> keys) {
    String a = GatewayProcess.PRACTITIONER_A;
    String p = GatewayProcess.PATIENT_P;
    String q = GatewayProcess.PATIENT_Q;
    add(MatrixActor.demoClient(gateway, "A", a, null));
    add(
        MatrixActor.ehrLaunch(
            gateway, "A@P", a, "demo-patient-p", "launch openid fhirUser patient/*.cruds"));
    add(MatrixActor.demoClient(gateway, "P", p, null));
    add(MatrixActor.demoClient(gateway, "P*", p, "patient/*.cruds"));
    add(MatrixActor.demoClient(gateway, "Plab", p, "patient/Observation.rs?category=laboratory"));
    add(MatrixActor.demoClient(gateway, "Q", q, null));
    add(MatrixActor.demoClient(gateway, "Q*", q, "patient/*.cruds"));
    add(MatrixActor.demoClient(gateway, "reg", "demo-registrar", null));
    add(MatrixActor.demoClient(gateway, "ehr", GatewayProcess.EHR, null));
    PRACTITIONERS.forEach(
        (column, id) ->
            add(
                MatrixActor.backendClient(
                    gateway, column, id, "Practitioner/" + id, keys.get(id), PRACTITIONER_SCOPE)));
    assertThat(actors.keySet()).containsExactlyElementsOf(COLUMNS);
  }

  private static void add(MatrixActor actor) {
    actors.put(actor.column(), actor);
  }

  private static MatrixActor actor(String column) {
    return actors.get(column);
  }

  /**
   * A writes the practitioners' directory entries; each but {@code none} proposes a Consent of P; P
   * decides them. Returns when {@code exp}'s Consent ends.
   */
  private static Instant decideConsents() {
    for (String id : PRACTITIONERS.values()) {
      Response put = send(actor("A"), MatrixResources.practitioner(id)).put("/Practitioner/" + id);
      expectSetUp(put, 200, 201, "A writes Practitioner/" + id);
    }
    propose("prop", "allergies", "access");
    propose("act", "allergies", "access");
    propose("exp", "allergies", "access");
    propose("rev", "allergies", "access");
    propose("oth", "immunizations", "access");
    boolean correctProposed = propose("corr", "allergies", "access", "correct");
    if (!correctProposed) {
      matrix.note("corr: a proposal with action correct was refused; P adds correct on approval");
      propose("corr", "allergies", "access");
    } else {
      matrix.note("corr: the proposal with actions access + correct was accepted (201)");
    }
    Instant end = Instant.now().plus(CONSENT_LIFETIME);
    Period period = new Period().setStart(Date.from(Instant.now().minus(Duration.ofDays(1))));
    period.setEnd(Date.from(end));
    decide("exp", Consent.ConsentState.ACTIVE, c -> c.getProvision().setPeriod(period));
    decide("act", Consent.ConsentState.ACTIVE, c -> {});
    decide("rev", Consent.ConsentState.ACTIVE, c -> {});
    decide("oth", Consent.ConsentState.ACTIVE, c -> {});
    decide(
        "corr",
        Consent.ConsentState.ACTIVE,
        c -> {
          boolean hasCorrect =
              c.getProvision().getAction().stream()
                  .anyMatch(action -> action.getCodingFirstRep().getCode().equals("correct"));
          if (!hasCorrect) {
            ConsentRequests.withActions(c, "correct");
          }
        });
    consentStates.put("exp", "active, provision.period ended " + end);
    return end;
  }

  /** A practitioner's proposal; false if the server refused it. */
  private static boolean propose(String column, String category, String... actions) {
    MatrixActor practitioner = actor(column);
    Consent proposal = MatrixResources.proposal(P, practitioner.fhirUser(), category, actions);
    Response response = send(practitioner, proposal).post("/Consent");
    if (response.statusCode() != 201) {
      if (!column.equals("corr")) {
        expectSetUp(response, 201, 201, column + " proposes a Consent of P");
      }
      return false;
    }
    consents.put(column, Fhir.relativeId(response.header("Location")));
    consentTerms.put(column, category + ", action " + String.join(" + ", actions));
    consentStates.put(column, "proposed");
    return true;
  }

  /** P (custodial: no signature needed) sets the column's Consent to {@code state}. */
  private static void decide(String column, Consent.ConsentState state, Consumer<Consent> edit) {
    String id = consents.get(column);
    if (id == null) {
      matrix.setUpProblem("no Consent of " + column + " to set " + state.toCode());
      return;
    }
    Response read = get(actor("P"), "/" + id);
    if (!expectSetUp(read, 200, 200, "P reads " + column + "'s Consent")) {
      return;
    }
    Consent consent = Fhir.parse(Consent.class, read.asString()).setStatus(state);
    edit.accept(consent);
    Response put = send(actor("P"), consent).put("/" + id);
    if (expectSetUp(put, 200, 200, "P sets " + column + "'s Consent " + state.toCode())) {
      consentStates.put(column, state.toCode());
    }
  }

  /** The read-side targets; each the first write of its kind after the Consents were decided. */
  private static void writeFixtures() {
    String alg = create("A", MatrixResources.allergy(P, MatrixResources.newIdentifier()));
    String lab = create("A", MatrixResources.laboratory(P, MatrixResources.newIdentifier()));
    String imm = create("A", MatrixResources.immunization(P, MatrixResources.newIdentifier(), lab));
    String cnd = create("A", MatrixResources.condition(P, MatrixResources.newIdentifier(), alg));
    String qlab = create("A", MatrixResources.laboratory(Q, MatrixResources.newIdentifier()));
    String own = create("P", MatrixResources.allergy(P, MatrixResources.newIdentifier()));
    String dev = create("ehr", MatrixResources.laboratory(P, MatrixResources.newIdentifier()));
    String sub = create("A", MatrixResources.subscription(P));
    fixtures.put("ALG", new Fixture(alg, P));
    fixtures.put("LAB", new Fixture(lab, P));
    fixtures.put("IMM", new Fixture(imm, P));
    fixtures.put("CND", new Fixture(cnd, P));
    fixtures.put("QLAB", new Fixture(qlab, Q));
    fixtures.put("OWN", new Fixture(own, P));
    fixtures.put("DEV", new Fixture(dev, P));
    fixtures.put("SUB", new Fixture(sub, null));
  }

  /** exp and rev must have held keys, so that their refusals prove the Consent check. */
  private static void checkHeldKeysBeforeTheConsentsEnd() {
    for (String column : List.of("exp", "rev")) {
      List<String> targets = new ArrayList<>(List.of(ref("ALG"), ref("OWN")));
      targets.addAll(writes.targetsWrittenEarly(column));
      for (String target : targets) {
        if (target == null) {
          matrix.setUpProblem("a write target of " + column + " could not be written");
        } else if (!target.startsWith("Observation/")) {
          Response read = get(actor(column), "/" + target);
          expectSetUp(
              read, 200, 200, column + " reads " + target + " while its Consent is still active");
        }
      }
    }
  }

  private static String create(String column, Resource resource) {
    Response response = send(actor(column), resource).post("/" + resource.fhirType());
    if (!expectSetUp(response, 201, 201, column + " creates a " + resource.fhirType())) {
      return resource.fhirType() + "/not-created";
    }
    return Fhir.relativeId(response.header("Location"));
  }

  /** True if the set-up step answered one of the two statuses; else a set-up problem. */
  private static boolean expectSetUp(Response response, int status, int orStatus, String step) {
    if (response.statusCode() == status || response.statusCode() == orStatus) {
      return true;
    }
    Outcome outcome = Outcome.status(response);
    matrix.setUpProblem(step + ": " + outcome.observed() + " " + outcome.diagnostics());
    return false;
  }

  private static PatientWallet newWallet() {
    try {
      return PatientWallet.generate(P);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static RequestSpecification send(MatrixActor actor, Resource resource) {
    return actor
        .fhir(gateway)
        .contentType(Fhir.JSON_TYPE)
        .body(Fhir.json().encodeResourceToString(resource));
  }

  private static Map<String, String> descriptions() {
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (MatrixActor actor : actors.values()) {
      String column = actor.column();
      String consent =
          consents.containsKey(column)
              ? consents.get(column)
                  + " ("
                  + consentTerms.get(column)
                  + "), "
                  + consentStates.get(column)
              : "none";
      descriptions.put(
          column,
          actor.description() + (PRACTITIONERS.containsKey(column) ? "; Consent: " + consent : ""));
    }
    return descriptions;
  }
}
