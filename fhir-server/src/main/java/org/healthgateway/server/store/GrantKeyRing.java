package org.healthgateway.server.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Grant keys: one 256-bit key per (patient, recipient, issuing node), wrapped once for the
 * recipient's public key as a JWE and recorded as a KEY_RELEASE transaction. Data keys are wrapped
 * under grant keys, so reading a patient's records costs one private-key operation.
 */
public final class GrantKeyRing {
  /** A grant key's public facts; the key itself is only ever in the JWE and in the cache. */
  public record Grant(String id, String pseudonym, String recipient, long ledgerIndex) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final IdentityRegistry identities;
  private final RecipientKeyWrapper recipientWrapper;
  private final Cache<String, SecretKey> unwrapped;
  private final MeterRegistry meters;
  private final Map<String, Grant> byId = new ConcurrentHashMap<>();
  private final Map<String, Grant> byPair = new ConcurrentHashMap<>();

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

  /** Learns a grant from its KEY_RELEASE transaction. */
  public void apply(LedgerEntry entry) {
    Transaction tx = entry.transaction();
    if (tx.wrappedKeys().size() != 1) {
      return;
    }
    Grant grant =
        new Grant(tx.wrappedKeys().get(0).keyId(), tx.patient(), tx.subject(), entry.index());
    byId.put(grant.id(), grant);
    byPair.put(pair(grant.pseudonym(), grant.recipient()), grant);
  }

  public Optional<Grant> grant(String pseudonym, String recipient) {
    return Optional.ofNullable(byPair.get(pair(pseudonym, recipient)));
  }

  public Optional<Grant> byId(String grantId) {
    return Optional.ofNullable(byId.get(grantId));
  }

  /**
   * Returns the grant for the pair, issuing it first if needed: the KEY_RELEASE is durable on the
   * ledger before any data key is wrapped under it.
   */
  public Grant ensure(String pseudonym, String recipient, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    Grant existing = byPair.get(pair(pseudonym, recipient));
    if (existing != null) {
      return existing;
    }
    synchronized (this) {
      existing = byPair.get(pair(pseudonym, recipient));
      if (existing != null) {
        return existing;
      }
      if (!identities.isRegistered(recipient)) {
        identities.register(recipient, ledger);
      }
      JWK recipientKey = identities.publicKey(recipient).orElseThrow();
      SecretKey grantKey = DataKeys.newDataKey();
      String id = newGrantId();
      String jwe = recipientWrapper.wrap(recipientKey, grantKey);
      meters.counter("gateway.keys.wraps", "kind", "grant").increment();
      Transaction unsigned =
          new Transaction(
              TransactionType.KEY_RELEASE,
              recipient,
              pseudonym,
              List.of(),
              IdentityRegistry.NODE,
              Instant.now(),
              new byte[0],
              new byte[0],
              List.of(
                  new WrappedKey(
                      id,
                      recipientKey.getKeyType().getValue().equals("RSA")
                          ? "RSA-OAEP-256"
                          : "ECDH-ES+A256KW",
                      jwe.getBytes(StandardCharsets.UTF_8))),
              "");
      Transaction tx = identities.sign(unsigned, IdentityRegistry.NODE);
      long index = ledger.append(List.of(tx)).get(0);
      Grant grant = new Grant(id, pseudonym, recipient, index);
      byId.put(id, grant);
      byPair.put(pair(pseudonym, recipient), grant);
      unwrapped.put(id, grantKey);
      return grant;
    }
  }

  /**
   * The grant key, unwrapped with the recipient's private key held by this node.
   *
   * @throws GeneralSecurityException if this node does not hold the recipient's key or the JWE does
   *     not open
   */
  public SecretKey key(Grant grant, Ledger ledger)
      throws GeneralSecurityException, LedgerException {
    SecretKey cached = unwrapped.getIfPresent(grant.id());
    if (cached != null) {
      meters.counter("gateway.keys.cache", "key", "grant", "result", "hit").increment();
      return cached;
    }
    meters.counter("gateway.keys.cache", "key", "grant", "result", "miss").increment();
    JWK privateKey =
        identities
            .privateKey(grant.recipient())
            .orElseThrow(() -> new GeneralSecurityException("no private key for recipient"));
    Transaction tx = ledger.read(grant.ledgerIndex()).transaction();
    String jwe = new String(tx.wrappedKeys().get(0).wrapped(), StandardCharsets.UTF_8);
    SecretKey key = recipientWrapper.unwrap(privateKey, jwe);
    meters.counter("gateway.keys.unwraps", "kind", "grant").increment();
    unwrapped.put(grant.id(), key);
    return key;
  }

  private static String pair(String pseudonym, String recipient) {
    return pseudonym + '\n' + recipient;
  }

  private static String newGrantId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "g-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
