package org.healthgateway.server.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Grant keys: one 256-bit key per (patient, recipient, issuing node), wrapped once for the
 * recipient's encryption key as a JWE, and once for this node's own key so that the node can keep
 * wrapping new data for the pair after a restart, even when the recipient holds its private key
 * itself. Data keys are wrapped under grant keys, so reading a patient's records costs one
 * private-key operation.
 *
 * <p>A KEY_RELEASE transaction carries, in {@code wrappedKeys}: the grant key's JWE for the
 * recipient ({@code keyId} = grant id), optionally its JWE for the node ({@code keyId} = grant id +
 * {@value #NODE_COPY}), and optionally data keys released under it after the fact ({@code keyId} =
 * {@value #RELEASED_PREFIX} + ledger index of the resource version, algorithm A256KW). A
 * KEY_RELEASE whose first key id names a grant issued earlier, for the same recipient, is a
 * re-wrap: the same grant key wrapped for the recipient's newer encryption key, so that keys
 * registered later (a patient's wallet, a rotation, a recovery) open data granted before them.
 */
public final class GrantKeyRing {
  /** A grant key's public facts; the key itself is only in the JWEs and in the cache. */
  public record Grant(String id, String pseudonym, String recipient, long ledgerIndex) {}

  /** A data key released to a grant after the version was written. */
  @SuppressWarnings("ArrayRecordComponent") // carries the bytes to unwrap, never compared
  public record Released(String grantId, byte[] wrappedDataKey) {}

  public static final String NODE_COPY = "#node";
  public static final String RELEASED_PREFIX = "L";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final IdentityRegistry identities;
  private final RecipientKeyWrapper recipientWrapper;
  private final Cache<String, SecretKey> unwrapped;
  private final MeterRegistry meters;
  private final Map<String, Grant> byId = new ConcurrentHashMap<>();
  private final Map<String, Grant> current = new ConcurrentHashMap<>();
  private final Map<Long, List<Released>> released = new ConcurrentHashMap<>();
  private final Map<String, Long> rewrapped = new ConcurrentHashMap<>();

  public GrantKeyRing(
      IdentityRegistry identities,
      RecipientKeyWrapper recipientWrapper,
      Cache<String, SecretKey> unwrapped,
      MeterRegistry meters) {
    this.identities = identities;
    this.recipientWrapper = recipientWrapper;
    this.unwrapped = unwrapped;
    this.meters = meters;
  }

  /** Learns grants and released data keys from a KEY_RELEASE transaction. */
  public void apply(LedgerEntry entry) {
    Transaction tx = entry.transaction();
    if (tx.wrappedKeys().isEmpty()) {
      return;
    }
    String grantId = tx.wrappedKeys().get(0).keyId();
    Grant known = byId.get(grantId);
    if (known == null) {
      Grant grant = new Grant(grantId, tx.patient(), tx.subject(), entry.index());
      byId.put(grantId, grant);
      current.put(pair(grant.pseudonym(), grant.recipient()), grant);
    } else if (known.recipient().equals(tx.subject()) && known.pseudonym().equals(tx.patient())) {
      rewrapped.put(grantId, entry.index());
    }
    for (WrappedKey key : tx.wrappedKeys()) {
      if (key.keyId().startsWith(RELEASED_PREFIX)) {
        long versionIndex = Long.parseLong(key.keyId().substring(RELEASED_PREFIX.length()));
        released
            .computeIfAbsent(versionIndex, i -> new CopyOnWriteArrayList<>())
            .add(new Released(grantId, key.wrapped()));
      }
    }
  }

  /** The grant new data for the pair is wrapped under, if one was issued. */
  public Optional<Grant> grant(String pseudonym, String recipient) {
    return Optional.ofNullable(current.get(pair(pseudonym, recipient)));
  }

  public Optional<Grant> byId(String grantId) {
    return Optional.ofNullable(byId.get(grantId));
  }

  /**
   * After a recipient rotated its encryption key: the next write for each of its pairs issues a new
   * grant wrapped for the new key; old grants keep opening old data with the old key.
   */
  public void retire(String recipient) {
    current.values().removeIf(g -> g.recipient().equals(recipient));
  }

  /**
   * Wraps every grant of the recipient again, for its current encryption key, in one ledger append
   * (one KEY_RELEASE per grant, signed by the node): data granted to the recipient before it
   * registered or rotated its key stays open to it. Uses the node's copy of each grant key.
   *
   * @return how many grants were re-wrapped
   */
  public synchronized int rewrap(String recipient, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    JWK recipientKey =
        identities
            .publicKey(recipient)
            .orElseThrow(() -> new GeneralSecurityException("no registered key for " + recipient));
    List<Grant> held = byId.values().stream().filter(g -> g.recipient().equals(recipient)).toList();
    List<Transaction> txs = new ArrayList<>(held.size());
    for (Grant grant : held) {
      txs.add(
          identities.sign(
              new Transaction(
                  TransactionType.KEY_RELEASE,
                  recipient,
                  grant.pseudonym(),
                  List.of(),
                  IdentityRegistry.NODE,
                  Instant.now(),
                  new byte[0],
                  new byte[0],
                  List.of(jwe(grant.id(), recipientKey, key(grant, ledger))),
                  ""),
              IdentityRegistry.NODE));
    }
    if (txs.isEmpty()) {
      return 0;
    }
    List<Long> indexes = ledger.append(txs);
    for (int i = 0; i < held.size(); i++) {
      rewrapped.put(held.get(i).id(), indexes.get(i));
    }
    return held.size();
  }

  /** The newest JWE of the grant key for its recipient (its original wrap, or a re-wrap). */
  public String recipientJwe(Grant grant, Ledger ledger) throws LedgerException {
    long index = rewrapped.getOrDefault(grant.id(), grant.ledgerIndex());
    Transaction tx = ledger.read(index).transaction();
    return new String(tx.wrappedKeys().get(0).wrapped(), StandardCharsets.UTF_8);
  }

  /** The requester's grant that opens the version, from its own wraps or a later release. */
  public Optional<Grant> grantFor(VersionMeta meta, String requester) {
    for (String id : meta.grantKeyIds()) {
      Grant grant = byId.get(id);
      if (grant != null && grant.recipient().equals(requester)) {
        return Optional.of(grant);
      }
    }
    for (Released r : released.getOrDefault(meta.ledgerIndex(), List.of())) {
      Grant grant = byId.get(r.grantId());
      if (grant != null && grant.recipient().equals(requester)) {
        return Optional.of(grant);
      }
    }
    return Optional.empty();
  }

  /** The data key of a version wrapped under a grant by a later release, if there is one. */
  public Optional<byte[]> releasedDataKey(long versionIndex, String grantId) {
    return released.getOrDefault(versionIndex, List.of()).stream()
        .filter(r -> r.grantId().equals(grantId))
        .map(Released::wrappedDataKey)
        .findFirst();
  }

  /**
   * Returns the current grant for the pair, issuing it first if needed: the KEY_RELEASE is durable
   * on the ledger before any data key is wrapped under it.
   */
  public Grant ensure(String pseudonym, String recipient, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    Grant existing = current.get(pair(pseudonym, recipient));
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      existing = current.get(pair(pseudonym, recipient));
      if (existing != null) {
        return existing;
      }
      if (!identities.isRegistered(recipient)) {
        identities.register(recipient, ledger);
      }
      SecretKey grantKey = DataKeys.newDataKey();
      String id = newGrantId();
      Transaction tx =
          identities.sign(
              releaseTransaction(pseudonym, recipient, id, grantKey, List.of()),
              IdentityRegistry.NODE);
      long index = ledger.append(List.of(tx)).get(0);
      Grant grant = new Grant(id, pseudonym, recipient, index);
      byId.put(id, grant);
      current.put(pair(pseudonym, recipient), grant);
      unwrapped.put(id, grantKey);
      return grant;
    }
  }

  /**
   * An unsigned KEY_RELEASE: a new grant key for the recipient (and the node's copy), with data
   * keys already wrapped under it.
   */
  public Transaction releaseTransaction(
      String pseudonym,
      String recipient,
      String grantId,
      SecretKey grantKey,
      List<WrappedKey> releasedDataKeys)
      throws GeneralSecurityException {
    JWK recipientKey =
        identities
            .publicKey(recipient)
            .orElseThrow(() -> new GeneralSecurityException("no registered key for " + recipient));
    List<WrappedKey> keys = new ArrayList<>();
    keys.add(jwe(grantId, recipientKey, grantKey));
    keys.add(jwe(grantId + NODE_COPY, identities.nodeEncryptionKey().toPublicJWK(), grantKey));
    keys.addAll(releasedDataKeys);
    return new Transaction(
        TransactionType.KEY_RELEASE,
        recipient,
        pseudonym,
        List.of(),
        IdentityRegistry.NODE,
        Instant.now(),
        new byte[0],
        new byte[0],
        keys,
        "");
  }

  private WrappedKey jwe(String keyId, JWK recipientKey, SecretKey grantKey)
      throws GeneralSecurityException {
    String jwe = recipientWrapper.wrap(recipientKey, grantKey);
    meters.counter("gateway.keys.wraps", "kind", "grant").increment();
    String alg =
        recipientKey.getKeyType().getValue().equals("RSA") ? "RSA-OAEP-256" : "ECDH-ES+A256KW";
    return new WrappedKey(keyId, alg, jwe.getBytes(StandardCharsets.UTF_8));
  }

  /** Records a grant issued by a release once its transaction is durable. */
  public void issued(Grant grant, SecretKey key) {
    byId.put(grant.id(), grant);
    current.put(pair(grant.pseudonym(), grant.recipient()), grant);
    unwrapped.put(grant.id(), key);
  }

  /**
   * The grant key, unwrapped with the recipient's private key when this node holds it, else with
   * the node's own copy.
   */
  public SecretKey key(Grant grant, Ledger ledger)
      throws GeneralSecurityException, LedgerException {
    SecretKey cached = unwrapped.getIfPresent(grant.id());
    if (cached != null) {
      meters.counter("gateway.keys.cache", "key", "grant", "result", "hit").increment();
      return cached;
    }
    meters.counter("gateway.keys.cache", "key", "grant", "result", "miss").increment();
    Transaction tx = ledger.read(grant.ledgerIndex()).transaction();
    Optional<JWK> recipientKey = identities.privateKey(grant.recipient());
    SecretKey key = null;
    for (WrappedKey wrapped : tx.wrappedKeys()) {
      String jwe = new String(wrapped.wrapped(), StandardCharsets.UTF_8);
      if (wrapped.keyId().equals(grant.id()) && recipientKey.isPresent()) {
        key = tryUnwrap(recipientKey.get(), jwe);
      } else if (wrapped.keyId().equals(grant.id() + NODE_COPY)) {
        key = tryUnwrap(identities.nodeEncryptionKey(), jwe);
      }
      if (key != null) {
        break;
      }
    }
    if (key == null) {
      throw new GeneralSecurityException("this node cannot open grant " + grant.id());
    }
    meters.counter("gateway.keys.unwraps", "kind", "grant").increment();
    unwrapped.put(grant.id(), key);
    return key;
  }

  private SecretKey tryUnwrap(JWK privateKey, String jwe) {
    try {
      return recipientWrapper.unwrap(privateKey, jwe);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static String pair(String pseudonym, String recipient) {
    return pseudonym + '\n' + recipient;
  }

  public static String newGrantId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "g-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
