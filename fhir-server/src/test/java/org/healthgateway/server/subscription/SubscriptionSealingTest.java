package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_Q;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.server.store.AccessDeniedException;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.TestNode;
import org.healthgateway.server.store.Write;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscriptions, their channels and headers belong to their owner alone: each version is sealed for
 * its author, the ledger keeps only metadata in clear, and the node still opens them at start-up,
 * including clear versions written before they were sealed.
 */
class SubscriptionSealingTest {
  private static final String SECRET = "Authorization: Bearer hook-secret-4711";
  private static final String ENDPOINT = "https://hooks.example.org/p/inbox";

  @TempDir Path dir;
  private TestNode node;
  private Ledger ledger;
  private RecordStore store;

  @AfterEach
  void close() throws Exception {
    if (ledger != null) {
      ledger.close();
    }
  }

  /** Opens (or reopens) the node on {@code dir}: keystore, embedded ledger, record store. */
  private RecordStore open() throws Exception {
    close();
    node = TestNode.open(dir);
    ledger = node.ledger;
    store = node.store;
    return store;
  }

  private static Subscription restHook(String id) {
    Subscription subscription = Fixtures.restHook(id, PROPOSED_FOR_P, ENDPOINT);
    subscription.getChannel().addHeader(SECRET);
    return subscription;
  }

  private VersionMeta write(Subscription subscription, String author) throws Exception {
    return store
        .write(List.of(Write.of(subscription, 1)), Arrays.asList((String) null), author)
        .get(0);
  }

  @Test
  void write_restHookSubscription_isSealedForItsOwnerAlone() throws Exception {
    open();

    VersionMeta meta = write(restHook("s1"), PATIENT_P);

    String payload =
        new String(ledger.read(meta.ledgerIndex()).transaction().payload(), StandardCharsets.UTF_8);
    assertThat(meta.encrypted()).as("sealed").isTrue();
    assertThat(payload).doesNotContain("hook-secret-4711").doesNotContain("hooks.example.org");
    assertThat(store.canRead(meta, PATIENT_P)).isTrue();
    assertThat(store.canRead(meta, PATIENT_Q)).isFalse();
    assertThatThrownBy(() -> store.read(meta, PATIENT_Q)).isInstanceOf(AccessDeniedException.class);
    assertThat(((Subscription) store.read(meta, PATIENT_P)).getChannel().getHeader())
        .extracting(StringType::getValue)
        .containsExactly(SECRET);
  }

  @Test
  void start_afterRestart_opensSealedSubscriptionsWithTheOwnersKey() throws Exception {
    open();
    write(restHook("s1"), PATIENT_P);

    open();
    SubscriptionRegistry registry = registry();
    Subscriptions.load(store, registry);

    SubscriptionSpec spec = registry.get("s1").orElseThrow();
    assertThat(spec.owner()).isEqualTo(PATIENT_P);
    assertThat(spec.headers()).containsExactly(SECRET);
  }

  @Test
  void start_withClearSubscriptionOfAnOlderLedger_loadsItAndOnlyItsOwnerReadsIt() throws Exception {
    open();
    appendClear(restHook("legacy"), PATIENT_P);

    open();
    VersionMeta meta = store.index().current("Subscription", "legacy").orElseThrow();
    SubscriptionRegistry registry = registry();
    Subscriptions.load(store, registry);

    assertThat(meta.encrypted()).as("written in clear").isFalse();
    assertThat(registry.get("legacy")).as("loaded").isPresent();
    assertThat(store.canRead(meta, PATIENT_P)).isTrue();
    assertThat(store.canRead(meta, PATIENT_Q)).isFalse();
    assertThatThrownBy(() -> store.read(meta, PATIENT_Q)).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> store.readShared(meta, PATIENT_Q))
        .isInstanceOf(AccessDeniedException.class);
  }

  private static SubscriptionRegistry registry() {
    return new SubscriptionRegistry(
        new SubscriptionValidator(Fixtures.SEARCH), (meta, user) -> true, Clock.systemUTC());
  }

  /** What a node before sealing wrote: the Subscription's JSON as the payload, no wrapped keys. */
  private void appendClear(Subscription subscription, String author) throws Exception {
    node.identities.register(author, node.keyLog);
    String reference = "Subscription/" + subscription.getIdElement().getIdPart() + "/_history/1";
    subscription.setId(reference);
    byte[] plaintext =
        Fixtures.FHIR
            .newJsonParser()
            .encodeResourceToString(subscription)
            .getBytes(StandardCharsets.UTF_8);
    Transaction unsigned =
        new Transaction(
            TransactionType.RESOURCE_VERSION,
            reference,
            "",
            List.of(),
            author,
            Instant.now(),
            MessageDigest.getInstance("SHA-256").digest(plaintext),
            plaintext,
            List.of(),
            "");
    ledger.append(node.signing.sign(List.of(unsigned), author));
  }
}
