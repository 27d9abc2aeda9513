package org.healthgateway.ledger.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.healthgateway.ledger.TransactionType.IDENTITY;
import static org.healthgateway.ledger.TransactionType.MEMBER;

import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.TransactionType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Several nodes (own data directory, node key, identity and anvil account each) on one contract of
 * a real anvil mining a block every 200 ms; the registry holds hospital A's key only.
 */
class MembershipTest {

  private static final Duration BLOCK_TIME = Duration.ofMillis(200);
  private static final String A = "Device/hospital-a";
  private static final String B = "Device/hospital-b";
  private static final String C = "Device/hospital-c";
  private static final String PRACTITIONER = "Practitioner/at-a";

  @TempDir Path tmp;

  private Anvil anvil;
  private RecordLogDeployer.Deployed contract;
  private final JWK keyA = ChainFixtures.ec();
  private final JWK keyB = ChainFixtures.ec();
  private final JWK keyC = ChainFixtures.ec();
  private final JWK practitionerKey = ChainFixtures.ec();
  private final List<EthereumLedger> opened = new ArrayList<>();

  /** One node: its ledger and its meters. */
  private record Node(EthereumLedger ledger, SimpleMeterRegistry meters) {
    double rejected(String reason) {
      return meters
          .get("gateway.ledger.ethereum.records.rejected")
          .tag("reason", reason)
          .counter()
          .count();
    }
  }

  @BeforeEach
  void startChain() throws Exception {
    anvil = Anvil.start(BLOCK_TIME);
    contract = RecordLogDeployer.deploy(anvil.web3j(), Anvil.account(), Duration.ofSeconds(30));
  }

  @AfterEach
  void stopChain() throws Exception {
    for (EthereumLedger ledger : opened) {
      ledger.close();
    }
    anvil.close();
  }

  private EthereumLedger.Options options(int depth) {
    return EthereumLedger.Options.of(contract.address())
        .withConfirmationDepth(depth)
        .withStartBlock(contract.block())
        .withPollInterval(Duration.ofMillis(50))
        .withResendAfter(Duration.ofSeconds(2))
        .withAppendTimeout(Duration.ofSeconds(60));
  }

  private Node open(String dir, String identity, JWK nodeKey, int account, int depth)
      throws LedgerException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EthereumLedger ledger =
        EthereumLedger.open(
            tmp.resolve(dir),
            anvil.web3j(),
            Anvil.account(account),
            identity,
            List.of(keyA.toPublicJWK()),
            CheckpointSigner.of(nodeKey),
            nodeKey.toPublicJWK(),
            options(depth),
            meters);
    opened.add(ledger);
    return new Node(ledger, meters);
  }

  private Node nodeA(int depth) throws LedgerException {
    Node a = open("a", A, keyA, 0, depth);
    a.ledger().append(ChainFixtures.registration(IDENTITY, keyA, A, A, keyA));
    return a;
  }

  private static SignedRecord registration(
      TransactionType type, JWK signer, String by, String subject, JWK key) throws LedgerException {
    return ChainFixtures.registration(type, signer, by, subject, key);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("timed out waiting until %s", what).isTrue();
      Thread.sleep(20);
    }
  }

  private static void assertSameLog(EthereumLedger... nodes) throws Exception {
    long size = java.util.Arrays.stream(nodes).mapToLong(EthereumLedger::size).max().orElseThrow();
    await("every node applied " + size + " entries", () -> allOfSize(size, nodes));
    for (EthereumLedger node : nodes) {
      assertThat(node.rootHash(size)).isEqualTo(nodes[0].rootHash(size));
      assertThat(node.members()).isEqualTo(nodes[0].members());
      for (long i = 0; i < size; i++) {
        assertThat(node.read(i)).isEqualTo(nodes[0].read(i));
      }
    }
  }

  private static boolean allOfSize(long size, EthereumLedger... nodes) {
    for (EthereumLedger node : nodes) {
      if (node.size() != size) {
        return false;
      }
    }
    return true;
  }

  @Test
  void append_byANonMember_isRefusedByEveryNodeUntilAMemberAdmitsIt() throws Exception {
    Node a = nodeA(1);
    Node b = open("b", B, keyB, 1, 1);
    assertThat(a.ledger().isMember(keyA)).isTrue();
    assertThat(b.ledger().isMember(keyB)).isFalse();

    assertThatThrownBy(() -> b.ledger().append(ChainFixtures.record(keyB, B, 1, 1)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("refuse");
    await("A refused B's record", () -> a.rejected("unknown_key") == 1);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    b.ledger().awaitMembership(keyB, Duration.ofSeconds(30));
    List<Long> indexes = b.ledger().append(ChainFixtures.record(keyB, B, 2, 2));

    assertThat(indexes).containsExactly(2L, 3L);
    assertSameLog(a.ledger(), b.ledger());
    assertThat(a.ledger().isMember(keyB)).isTrue();
    assertThat(a.ledger().members())
        .extracting(Member::identity, Member::admittedBy, Member::ledgerIndex)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(A, Member.REGISTRY, 0L),
            org.assertj.core.groups.Tuple.tuple(B, A, 1L));
    assertThat(b.rejected("unknown_key")).isEqualTo(1);
    assertThat(b.ledger().rejectedRecords()).isEqualTo(1);
  }

  @Test
  void append_ofAHijackOrOfAMemberByANonMember_isRefusedByEveryNode() throws Exception {
    Node a = nodeA(1);
    Node b = open("b", B, keyB, 1, 1);
    Node c = open("c", C, keyC, 2, 1);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    a.ledger().append(registration(MEMBER, keyA, A, C, keyC));
    a.ledger().append(registration(IDENTITY, keyA, A, PRACTITIONER, practitionerKey));
    c.ledger().awaitMembership(keyC, Duration.ofSeconds(30));
    JWK stolen = ChainFixtures.ec();

    List<SignedRecord> refused =
        List.of(
            registration(IDENTITY, keyC, C, PRACTITIONER, stolen),
            ChainFixtures.record(stolen, PRACTITIONER, 1, 1),
            registration(MEMBER, keyC, C, B, stolen),
            registration(MEMBER, practitionerKey, PRACTITIONER, "Device/hospital-d", stolen));
    for (SignedRecord record : refused) {
      assertThatThrownBy(() -> c.ledger().append(record))
          .isInstanceOf(LedgerException.class)
          .hasMessageContaining("refuse");
    }
    List<Long> byC =
        c.ledger().append(registration(IDENTITY, keyC, C, "Practitioner/at-c", stolen));
    List<Long> byPractitioner =
        b.ledger().append(ChainFixtures.record(practitionerKey, PRACTITIONER, 2, 1));

    assertThat(byC).containsExactly(4L);
    assertThat(byPractitioner).containsExactly(5L);
    assertSameLog(a.ledger(), b.ledger(), c.ledger());
    for (Node node : List.of(a, b, c)) {
      assertThat(node.rejected("identity")).isEqualTo(1);
      assertThat(node.rejected("unknown_key")).isEqualTo(1);
      assertThat(node.rejected("member")).isEqualTo(2);
      assertThat(node.ledger().isMember(stolen)).isFalse();
    }
  }

  @Test
  void foreignEntryListener_getsExactlyTheOtherNodesEntriesInOrder() throws Exception {
    Node a = nodeA(1);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    Node b = open("b", B, keyB, 1, 1);
    List<LedgerEntry> seenByA = new CopyOnWriteArrayList<>();
    List<String> problems = new CopyOnWriteArrayList<>();
    a.ledger()
        .addForeignEntryListener(
            entry -> {
              throw new IllegalStateException("a listener that fails");
            });
    a.ledger()
        .addForeignEntryListener(
            entry -> {
              if (!a.ledger().read(entry.index()).equals(entry)) {
                problems.add("entry " + entry.index() + " not readable in the listener");
              }
              seenByA.add(entry);
            });
    List<LedgerEntry> seenByB = new CopyOnWriteArrayList<>();
    b.ledger().addForeignEntryListener(seenByB::add);

    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<List<Long>>> fromA = new ArrayList<>();
    List<Future<List<Long>>> fromB = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SignedRecord ofA = ChainFixtures.record(keyA, A, 10 * i, 2);
      SignedRecord ofB = ChainFixtures.record(keyB, B, 100 + 10 * i, 2);
      fromA.add(pool.submit(() -> a.ledger().append(ofA)));
      fromB.add(pool.submit(() -> b.ledger().append(ofB)));
    }
    List<Long> indexesOfA = indexes(fromA);
    List<Long> indexesOfB = indexes(fromB);
    pool.shutdown();
    assertSameLog(a.ledger(), b.ledger());
    await("A's listener saw B's 6 entries", () -> seenByA.size() >= 6);
    await("B's listener saw A's 6 entries", () -> seenByB.size() >= 6);

    assertThat(seenByA).extracting(LedgerEntry::index).containsExactlyElementsOf(indexesOfB);
    assertThat(seenByA).allSatisfy(e -> assertThat(e.transaction().author()).isEqualTo(B));
    assertThat(seenByB).extracting(LedgerEntry::index).containsExactlyElementsOf(indexesOfA);
    assertThat(problems).isEmpty();
    assertThat(a.ledger().failure()).isEmpty();
  }

  private static List<Long> indexes(List<Future<List<Long>>> appends) throws Exception {
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> append : appends) {
      all.addAll(append.get());
    }
    all.sort(null);
    return all;
  }

  @Test
  void open_again_rebuildsTheMembershipFromTheCacheAndALateNodeFromTheChain() throws Exception {
    Node a = nodeA(1);
    Node b = open("b", B, keyB, 1, 1);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    b.ledger().awaitMembership(keyB, Duration.ofSeconds(30));
    b.ledger().append(ChainFixtures.record(keyB, B, 1, 1));
    List<Member> members = a.ledger().members();
    b.ledger().close();

    Node again = open("b", B, keyB, 1, 1);
    Node late = open("late", C, keyC, 2, 1);

    assertThat(again.ledger().isMember(keyB)).isTrue();
    assertThat(again.ledger().members()).isEqualTo(members).hasSize(2);
    assertThat(late.ledger().members()).isEqualTo(members);
    assertThat(late.ledger().isMember(keyC)).isFalse();
    assertThat(again.ledger().append(ChainFixtures.record(keyB, B, 2, 1))).containsExactly(3L);
    assertSameLog(a.ledger(), again.ledger(), late.ledger());
  }

  @Test
  void follow_reorgWithinTheDepth_leavesBothNodesWithTheSameEntriesAndRoot() throws Exception {
    int depth = 8;
    Node a = nodeA(depth);
    Node b = open("b", B, keyB, 1, depth);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    b.ledger().awaitMembership(keyB, Duration.ofSeconds(30));
    long before = a.ledger().size();
    String snapshot = anvil.snapshot();
    BigInteger sentBefore = sentBy(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<List<Long>> ofB =
        pool.submit(() -> b.ledger().append(ChainFixtures.record(keyB, B, 1, 2)));
    Future<List<Long>> ofA =
        pool.submit(() -> a.ledger().append(ChainFixtures.record(keyA, A, 2, 1)));
    await("B's transaction mined", () -> !sentBy(1).equals(sentBefore));
    anvil.revert(snapshot);
    assertThat(a.ledger().size()).as("nothing applied before the depth").isEqualTo(before);

    List<Long> indexes = new ArrayList<>(ofB.get());
    indexes.addAll(ofA.get());
    pool.shutdown();

    assertThat(indexes).containsExactlyInAnyOrder(before, before + 1, before + 2);
    assertSameLog(a.ledger(), b.ledger());
    assertThat(a.ledger().failure()).isEmpty();
    assertThat(b.ledger().failure()).isEmpty();
    assertThat(a.ledger().rejectedRecords()).isZero();
  }

  private BigInteger sentBy(int account) {
    try {
      return anvil
          .web3j()
          .ethGetTransactionCount(
              Anvil.account(account).getAddress(), DefaultBlockParameterName.LATEST)
          .send()
          .getTransactionCount();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void follow_reorgDeeperThanTheDepth_isDetectedByBothNodes() throws Exception {
    Node a = nodeA(1);
    Node b = open("b", B, keyB, 1, 1);
    a.ledger().append(registration(MEMBER, keyA, A, B, keyB));
    String snapshot = anvil.snapshot();
    b.ledger().awaitMembership(keyB, Duration.ofSeconds(30));
    b.ledger().append(ChainFixtures.record(keyB, B, 1, 1));
    await("A applied B's record", () -> a.ledger().size() == 3);

    anvil.revert(snapshot);
    await(
        "both nodes stopped",
        () -> a.ledger().failure().isPresent() && b.ledger().failure().isPresent());

    for (Node node : List.of(a, b)) {
      assertThat(node.ledger().failure()).get().isInstanceOf(ChainReorgException.class);
      assertThat(node.meters().get("gateway.ledger.ethereum.reorgs.deep").counter().count())
          .isEqualTo(1);
      assertThatThrownBy(() -> node.ledger().append(ChainFixtures.record(keyA, A, 2, 1)))
          .isInstanceOf(LedgerException.class)
          .hasMessageContaining("reorg deeper than the confirmation depth");
      assertThatThrownBy(() -> node.ledger().awaitMembership(keyC, Duration.ofSeconds(5)))
          .isInstanceOf(LedgerException.class)
          .hasMessageContaining("reorg deeper");
      assertThat(node.ledger().size()).as("what was applied stays readable").isEqualTo(3);
    }
  }
}
