package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionSigner;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;

/**
 * Three hospitals' gateway nodes on one EVM chain (a real anvil), each with its own identity, keys,
 * authorization server and demo users: A founds the chain, B and C join when A's operator admits
 * them ({@code POST /actuator/members}). A practitioner at A writes a patient's allergy and a
 * procedure; a practitioner at B asks for the allergies; the patient approves at A; B's node reads
 * the allergy through its own FHIR API and is refused the procedure; C's node sees that the records
 * exist and opens none; the patient's access log at A shows B's read. Then B restarts, and B
 * rebuilds its state from the chain alone, and answers the same.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeHospitalsTest {
  /** Test fixture only: the keystore password of the three test nodes. */
  private static final String KEYSTORE_PASSWORD = "three-hospitals-test-keystore-password";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PRACTITIONER = GatewayProcess.PRACTITIONER_A;
  private static final String PATIENT_CLIENT = GatewayProcess.PATIENT_P;
  private static final String P = "Patient/hospital-a-patient-p";
  private static final String B_PRACTITIONER = "Practitioner/hospital-b-practitioner-b";
  private static final String CONFIRMATION_DEPTH = "2";
  private static final String BLOCK_TIME = "0.5";

  private static AnvilChain chain;
  private static GatewayProcess a;
  private static GatewayProcess b;
  private static GatewayProcess c;
  private static String allergyId;
  private static String procedureId;
  private static String consentId;
  private static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void startThreeNodes() throws Exception {
    chain = AnvilChain.start(BLOCK_TIME);
    a = node("hospital-a", 0, List.of());
    a.start();
    Properties contract = new Properties();
    try (var in = Files.newBufferedReader(a.dataDir().resolve("ethereum-contract.properties"))) {
      contract.load(in);
    }
    List<String> joining =
        List.of(
            "--gateway.ledger.ethereum.contract-address=" + contract.getProperty("address"),
            "--gateway.ledger.ethereum.start-block=" + contract.getProperty("block"),
            // The founding member's public key: the chain's trust anchor, like a CA certificate.
            "--gateway.ledger.ethereum.registry-keys="
                + a.dataDir().resolve("node-key.jwk.json").toAbsolutePath());
    b = node("hospital-b", 1, joining);
    startAdmittedBy(b, a);
    c = node("hospital-c", 2, joining);
    startAdmittedBy(c, a);
  }

  @AfterAll
  static void stopAll() throws IOException {
    for (GatewayProcess node : new GatewayProcess[] {c, b, a}) {
      if (node != null) {
        node.stop();
      }
    }
    if (chain != null) {
      chain.close();
    }
    Path out = GatewayProcess.targetDir().resolve("three-hospitals-figures.txt");
    Files.write(out, figures, StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void members_areTheThreeNodes_asEveryNodeRebuiltThemFromTheChain() throws Exception {
    for (GatewayProcess node : List.of(a, b, c)) {
      JsonNode members = JSON.readTree(management(node).get("/actuator/members").asString());
      List<String> identities = new ArrayList<>();
      members.path("members").forEach(m -> identities.add(m.path("identity").asText()));
      assertThat(identities)
          .as("members at %s", node.baseUrl())
          .containsExactlyInAnyOrder("Device/hospital-a", "Device/hospital-b", "Device/hospital-c");
    }
    Response again =
        management(a)
            .contentType("application/json")
            .body(nodeKey(b))
            .post("/actuator/members/" + nodeId(b));
    assertThat(again.statusCode()).as(again.asString()).isEqualTo(409);
  }

  @Test
  @Order(2)
  void practitionerOfA_writes_andCSeesTheRecordsExistButOpensNone() {
    allergyId = create(a, PRACTITIONER, allergy("91936005", "Penicillin allergy"));
    procedureId = create(a, PRACTITIONER, procedure());

    for (String id : List.of(allergyId, procedureId)) {
      Response atC =
          await(() -> Fhir.as(c, PRACTITIONER).get("/" + id), r -> r.statusCode() != 404);
      assertThat(atC.statusCode()).as("C reads %s: %s", id, atC.asString()).isEqualTo(403);
      Fhir.assertOperationOutcome(atC);
      Response atB = Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + id);
      assertThat(atB.statusCode()).as("B before consent: %s", atB.asString()).isEqualTo(403);
    }
    Response search = Fhir.as(c, PRACTITIONER).get("/AllergyIntolerance?patient=" + P.substring(8));
    assertThat(search.statusCode()).as(search.asString()).isIn(200, 403);
    if (search.statusCode() == 200) {
      assertThat(Fhir.parse(Bundle.class, search.asString()).getEntry())
          .as("C's search shows nothing of P")
          .isEmpty();
    }
  }

  @Test
  @Order(3)
  void nothingReadableAboutThePatient_isOnTheChain() throws Exception {
    Properties contract = new Properties();
    try (var in = Files.newBufferedReader(a.dataDir().resolve("ethereum-contract.properties"))) {
      contract.load(in);
    }
    JsonNode logs =
        chain.rpc(
            "eth_getLogs", Map.of("address", contract.getProperty("address"), "fromBlock", "0x0"));
    StringBuilder chainBytes = new StringBuilder();
    for (JsonNode log : logs) {
      chainBytes.append(new String(hex(log.path("data").asText()), StandardCharsets.ISO_8859_1));
    }
    assertThat(logs.size()).isGreaterThan(10);
    assertThat(chainBytes.toString())
        .as("the Record events of every node")
        .contains("AllergyIntolerance/")
        .doesNotContain("Penicillin")
        .doesNotContain("Appendectomy")
        .doesNotContain("91936005")
        .doesNotContain("80146002")
        .doesNotContain("Demo-Patient-P")
        .doesNotContain("Pat\"");
  }

  @Test
  @Order(4)
  void practitionerOfB_asks_patientApprovesAtA_andBReadsTheAllergyButNotTheProcedure() {
    Consent request =
        ConsentRequests.withCategories(ConsentRequests.proposal(P, B_PRACTITIONER), "allergies");
    consentId = create(b, GatewayProcess.PRACTITIONER_B, request);

    Response seen =
        await(() -> Fhir.as(a, PATIENT_CLIENT).get("/" + consentId), r -> r.statusCode() == 200);
    Consent proposed = Fhir.parse(Consent.class, seen.asString());
    assertThat(proposed.getStatus()).isEqualTo(Consent.ConsentState.PROPOSED);

    proposed.setStatus(Consent.ConsentState.ACTIVE);
    long approved = System.nanoTime();
    Fhir.as(a, PATIENT_CLIENT)
        .contentType(Fhir.JSON_TYPE)
        .header("If-Match", "W/\"1\"")
        .body(Fhir.json().encodeResourceToString(proposed))
        .put("/" + consentId)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);

    Response allergy =
        await(
            () -> Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + allergyId),
            r -> r.statusCode() == 200);
    figures.add(
        "approval at A -> allergy readable at B: "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - approved)
            + " ms");
    assertThat(
            Fhir.parse(AllergyIntolerance.class, allergy.asString())
                .getCode()
                .getCodingFirstRep()
                .getCode())
        .isEqualTo("91936005");
    Response procedure = Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + procedureId);
    assertThat(procedure.statusCode()).as(procedure.asString()).isEqualTo(403);
    Fhir.assertOperationOutcome(procedure);
    Response atC = Fhir.as(c, PRACTITIONER).get("/" + allergyId);
    assertThat(atC.statusCode()).as("C after B's consent: %s", atC.asString()).isEqualTo(403);
  }

  @Test
  @Order(5)
  void aNewAllergyWrittenAtA_isReadableAtB_withinTheConfirmationTime() {
    long written = System.nanoTime();
    String id = create(a, PRACTITIONER, allergy("300916003", "Latex allergy"));
    await(
        () -> Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + id), r -> r.statusCode() == 200);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
    figures.add(
        "write at A -> readable at B: "
            + millis
            + " ms (confirmation depth "
            + CONFIRMATION_DEPTH
            + ", block time "
            + BLOCK_TIME
            + " s)");
  }

  @Test
  @Order(6)
  void thePatientsAccessLogAtA_showsBsRead() {
    Bundle log =
        Fhir.parse(
            Bundle.class,
            await(
                    () ->
                        Fhir.as(a, PATIENT_CLIENT)
                            .get("/AuditEvent?patient=" + P.substring(8) + "&_count=200"),
                    r -> r.statusCode() == 200 && namesReader(r, B_PRACTITIONER))
                .asString());
    boolean read =
        log.getEntry().stream()
            .map(e -> (AuditEvent) e.getResource())
            .anyMatch(
                event ->
                    event.getAgent().stream()
                            .anyMatch(agent -> B_PRACTITIONER.equals(agent.getWho().getReference()))
                        && event.getEntity().stream()
                            .anyMatch(
                                entity -> entity.getWhat().getReference().startsWith(allergyId)));
    assertThat(read).as("an AuditEvent of B's read of %s at A", allergyId).isTrue();
  }

  @Test
  @Order(7)
  void forgedRecordsSentStraightToTheContract_areIgnoredByEveryNode() throws Exception {
    // Hospital C, a member, forges a release of A's procedure (outside B's consent) to B's
    // practitioner, signed with C's own node key; a replay of an applied record and a record
    // with a broken signature go with it. Anvil's development account 3 sends them.
    Parameters verify = verifyOf(a, procedureId);
    long procedureIndex = Long.parseLong(param(verify, "index"));
    Transaction procedure =
        TransactionCodec.decode(java.util.Base64.getDecoder().decode(param(verify, "entry")));
    c.stop();
    JWK cKey;
    try (EncryptedKeyStore keys =
        EncryptedKeyStore.openOrCreate(
            c.dataDir().resolve("keystore.bcfks"), KEYSTORE_PASSWORD.toCharArray())) {
      cKey = keys.get(Identities.NODE).orElseThrow();
    }
    byte[] random = new byte[40];
    new java.security.SecureRandom().nextBytes(random);
    Transaction release =
        new Transaction(
            TransactionType.KEY_RELEASE,
            B_PRACTITIONER,
            procedure.patient(),
            List.of(),
            "Device/hospital-c",
            java.time.Instant.now(),
            new byte[0],
            new byte[0],
            List.of(
                new WrappedKey("g-forgedByHospitalC0000", "ECDH-ES+A256KW", random),
                new WrappedKey("L" + procedureIndex, "A256KW", random)),
            "");
    byte[] forged =
        RecordCodec.encode(SignedRecord.sign(List.of(release), DetachedJws.signer(cKey)));
    // The same release under C's signature of other bytes: a valid encoding and C's key id,
    // but the signature does not cover what the record holds.
    TransactionSigner cSigner = DetachedJws.signer(cKey);
    byte[] badSignature =
        RecordCodec.encode(
            SignedRecord.sign(
                List.of(release), input -> cSigner.sign(Arrays.copyOf(input, input.length + 1))));
    JsonNode first =
        chain.rpc("eth_getLogs", Map.of("address", contract(), "fromBlock", "0x0")).get(0);
    byte[] replay = eventRecord(first.path("data").asText());
    double[] before = {
      rejected(b, "release"), chainRejected(b, "replay"), chainRejected(b, "signature")
    };

    JsonNode sent =
        chain.rpc(
            "eth_sendTransaction",
            Map.of(
                "from",
                AnvilChain.TEST_ACCOUNT_3_ADDRESS,
                "to",
                contract(),
                "gas",
                "0x1c9c380",
                "data",
                FunctionEncoder.encode(
                    new Function(
                        "append",
                        List.of(
                            new DynamicArray<>(
                                DynamicBytes.class,
                                List.of(
                                    new DynamicBytes(forged),
                                    new DynamicBytes(replay),
                                    new DynamicBytes(badSignature)))),
                        List.of()))));
    assertThat(sent.asText()).startsWith("0x");
    c.start();

    for (GatewayProcess node : List.of(a, b)) {
      await(
          () -> management(node).get("/actuator/prometheus"),
          r ->
              metric(r.asString(), "gateway_ledger_foreign_rejected_total", "release")
                      > (node == b ? before[0] : 0)
                  && metric(
                          r.asString(), "gateway_ledger_ethereum_records_rejected_total", "replay")
                      > (node == b ? before[1] : 0)
                  && metric(
                          r.asString(),
                          "gateway_ledger_ethereum_records_rejected_total",
                          "signature")
                      > (node == b ? before[2] : 0));
    }
    Response procedureAtB = Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + procedureId);
    assertThat(procedureAtB.statusCode()).as(procedureAtB.asString()).isEqualTo(403);
  }

  @Test
  @Order(8)
  void bRestarted_catchesUp_andBRebuiltFromTheChainAlone_answersTheSame() throws IOException {
    b.stop();
    String written = create(a, PRACTITIONER, allergy("418689008", "Grass pollen allergy"));
    b.start();
    await(
        () -> Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + written),
        r -> r.statusCode() == 200);

    b.stop();
    deleteRecursively(b.dataDir().resolve("ledger-ethereum"));
    Files.deleteIfExists(b.dataDir().resolve("index.snapshot"));
    long start = System.nanoTime();
    b.start();
    figures.add(
        "B rebuilt from the chain to the first metadata 200: "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms");
    for (String id : List.of(allergyId, written)) {
      Response read = Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + id);
      assertThat(read.statusCode())
          .as("B reads %s after rebuilding: %s", id, read.asString())
          .isEqualTo(200);
    }
    assertThat(Fhir.as(b, GatewayProcess.PRACTITIONER_B).get("/" + procedureId).statusCode())
        .isEqualTo(403);
  }

  private static Parameters verifyOf(GatewayProcess node, String id) {
    return Fhir.parse(
        Parameters.class,
        Fhir.as(node, PRACTITIONER)
            .get("/" + id + "/_history/1/$verify")
            .then()
            .log()
            .ifValidationFails()
            .statusCode(200)
            .extract()
            .asString());
  }

  private static String param(Parameters parameters, String name) {
    return parameters.getParameter().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue()
        .primitiveValue();
  }

  private static String contract() throws IOException {
    Properties contract = new Properties();
    try (var in = Files.newBufferedReader(a.dataDir().resolve("ethereum-contract.properties"))) {
      contract.load(in);
    }
    return contract.getProperty("address");
  }

  /** The record bytes of a Record(seq, data) event's data: ABI offset, length, bytes. */
  private static byte[] eventRecord(String data) {
    byte[] abi = hex(data);
    int length = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(abi, 32, 64)).intValue();
    return java.util.Arrays.copyOfRange(abi, 64, 64 + length);
  }

  private static double rejected(GatewayProcess node, String reason) {
    return metric(
        management(node).get("/actuator/prometheus").asString(),
        "gateway_ledger_foreign_rejected_total",
        reason);
  }

  private static double chainRejected(GatewayProcess node, String reason) {
    return metric(
        management(node).get("/actuator/prometheus").asString(),
        "gateway_ledger_ethereum_records_rejected_total",
        reason);
  }

  /** The value of a Prometheus counter with {@code reason="..."}, 0 if absent. */
  private static double metric(String exposition, String name, String reason) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("reason=\"" + reason + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private static byte[] hex(String text) {
    String digits = text.startsWith("0x") ? text.substring(2) : text;
    byte[] bytes = new byte[digits.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }

  private static boolean namesReader(Response response, String reader) {
    return response.asString().contains(reader);
  }

  private static GatewayProcess node(String id, int account, List<String> more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--gateway.node.id=" + id,
                "--gateway.keystore-password=" + KEYSTORE_PASSWORD,
                "--gateway.ledger.type=ethereum",
                "--gateway.ledger.ethereum.rpc-url=" + chain.rpcUrl(),
                "--gateway.ledger.ethereum.confirmation-depth=" + CONFIRMATION_DEPTH,
                "--gateway.ledger.ethereum.poll-interval=100ms",
                "--gateway.ledger.ethereum.admission-timeout=5m"));
    args.addAll(more);
    GatewayProcess node = GatewayProcess.create(id, args.toArray(String[]::new));
    importAccount(node.dataDir(), AnvilChain.TEST_ACCOUNT_KEYS.get(account));
    return node;
  }

  /** {@code ethereum-account <data-dir> --import}, the key on standard input. */
  private static void importAccount(Path dataDir, String key) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                GatewayProcess.gatewayJar().toString(),
                "ethereum-account",
                dataDir.toAbsolutePath().toString(),
                "--import")
            .redirectErrorStream(true);
    builder.environment().put("GATEWAY_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD);
    Process process = builder.start();
    try (var stdin = process.getOutputStream()) {
      stdin.write((key + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
  }

  /**
   * Starts {@code node}, which waits for its admission; meanwhile admits it at {@code member} with
   * the node's own public key and identity files, as its operator would.
   */
  private static void startAdmittedBy(GatewayProcess node, GatewayProcess member) throws Exception {
    CompletableFuture<GatewayProcess> started = CompletableFuture.supplyAsync(node::start);
    Path identity = node.dataDir().resolve("node-identity.txt");
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!Files.isRegularFile(identity) && System.nanoTime() < deadline && !started.isDone()) {
      Thread.sleep(200);
    }
    assertThat(identity).as("%s wrote its identity", node.dataDir()).isRegularFile();
    Response admitted =
        management(member)
            .contentType("application/json")
            .body(nodeKey(node))
            .post("/actuator/members/" + nodeId(node));
    assertThat(admitted.statusCode()).as(admitted.asString()).isEqualTo(201);
    started.get(10, TimeUnit.MINUTES);
  }

  /** The node's public key file, as its operator hands it to a member's operator. */
  private static String nodeKey(GatewayProcess node) {
    try {
      return Files.readString(node.dataDir().resolve("node-key.jwk.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node's id, from its identity file ({@code Device/<id>}). */
  private static String nodeId(GatewayProcess node) {
    try {
      return Files.readString(node.dataDir().resolve("node-identity.txt"))
          .strip()
          .substring("Device/".length());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static io.restassured.specification.RequestSpecification management(GatewayProcess node) {
    return io.restassured.RestAssured.given().baseUri(node.managementUrl());
  }

  private static String create(GatewayProcess node, String client, Resource resource) {
    return Fhir.relativeId(
        Fhir.as(node, client)
            .contentType(Fhir.JSON_TYPE)
            .body(Fhir.json().encodeResourceToString(resource))
            .post("/" + resource.fhirType())
            .then()
            .log()
            .ifValidationFails()
            .statusCode(201)
            .extract()
            .header("Location"));
  }

  private static Response await(
      Supplier<Response> request, java.util.function.Predicate<Response> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Response last = request.get();
    while (!done.test(last) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      last = request.get();
    }
    assertThat(done.test(last))
        .as("within 60 s; last answer %s: %s", last.statusCode(), last.asString())
        .isTrue();
    return last;
  }

  private static AllergyIntolerance allergy(String code, String display) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setPatient(new Reference(P));
    allergy.setClinicalStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "active",
                null)));
    allergy.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", code, display)));
    return allergy;
  }

  private static Procedure procedure() {
    Procedure procedure = new Procedure();
    procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
    procedure.setSubject(new Reference(P));
    procedure.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "80146002", "Appendectomy")));
    return procedure;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
