package org.healthgateway.keys.grant;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.Locks;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.WrappedKey;

/**
 * Grant keys: one 256-bit key per (patient, recipient, issuing node), wrapped once for the
 * recipient's encryption key as a JWE, and once for this node's own key so that the node can keep
 * wrapping new data for the pair after a restart, even when the recipient holds its private key
 * itself. Data keys are wrapped under grant keys, so reading a patient's records costs one
 * private-key operation. The facts are {@link GrantFact}s in the key log.
 *
 * <p>A grant that a patient's release created carries no node copy: it opens the data keys the
 * release names, but the node may be unable to open it (the recipient holds its key itself), so new
 * data for the pair goes under a grant the node issued, and a re-wrap leaves it to the patient.
 *
 * <p>Thread-safe. Issuing a grant holds a lock for that pair only, across the log append.
 */
public final class GrantRing {
  /** Key id suffix of the node's copy of a grant key. */
  public static final String NODE_COPY = "#node";

  /** Key id prefix of a data key released after the fact; the rest is the version's position. */
  public static final String RELEASED_PREFIX = "L";

  private static final Pattern GRANT_ID = Pattern.compile("g-[A-Za-z0-9_-]{16,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A data key released to a grant after the version was written. */
  @SuppressWarnings("ArrayRecordComponent") // carries the bytes to unwrap, never compared
  private record Released(String grantId, byte[] wrappedDataKey) {}

  private final Identities identities;
  private final RecipientKeyWrapper recipientWrapper;
  private final Cache<String, SecretKey> unwrapped;
  private final MeterRegistry meters;
  private final Map<String, Grant> byId = new ConcurrentHashMap<>();
  private final Map<String, Grant> current = new ConcurrentHashMap<>();
  private final Map<Long, List<Released>> released = new ConcurrentHashMap<>();
  private final Map<String, Long> rewrapped = new ConcurrentHashMap<>();
  private final Set<String> withNodeCopy = ConcurrentHashMap.newKeySet();
  private final Locks locks = new Locks();

  /**
   * @param unwrapped cache of grant keys by grant id (the keys, so keep it in memory only)
   */
  public GrantRing(
      Identities identities,
      RecipientKeyWrapper recipientWrapper,
      Cache<String, SecretKey> unwrapped,
      MeterRegistry meters) {
    this.identities = identities;
    this.recipientWrapper = recipientWrapper;
    this.unwrapped = unwrapped;
    this.meters = meters;
  }

  /** Learns grants, re-wraps and released data keys from a fact this node recorded. */
  public void apply(long position, GrantFact fact) {
    apply(position, fact, true);
  }

  /**
   * Learns grants, re-wraps and released data keys from a fact found at {@code position}; {@code
   * issuedHere} is false for another node's fact on a shared ledger: its grants open what they wrap
   * for recipients whose keys this node holds, but this node never wraps new data under them (their
   * node copy is the other node's).
   */
  public void apply(long position, GrantFact fact, boolean issuedHere) {
    String grantId = fact.grantId();
    Grant known = byId.get(grantId);
    if (known == null) {
      Grant grant = new Grant(grantId, fact.pseudonym(), fact.recipient(), position);
      byId.put(grantId, grant);
      if (issuedHere && carriesNodeCopy(fact)) {
        withNodeCopy.add(grantId);
        current.put(pair(grant.pseudonym(), grant.recipient()), grant);
      }
    } else if (known.recipient().equals(fact.recipient())
        && known.pseudonym().equals(fact.pseudonym())) {
      rewrapped.put(grantId, position);
    }
    for (WrappedKey key : fact.keys()) {
      if (key.keyId().startsWith(RELEASED_PREFIX)) {
        long versionPosition = Long.parseLong(key.keyId().substring(RELEASED_PREFIX.length()));
        released
            .computeIfAbsent(versionPosition, i -> new CopyOnWriteArrayList<>())
            .add(new Released(grantId, key.wrapped()));
      }
    }
  }

  private static boolean carriesNodeCopy(GrantFact fact) {
    String nodeCopy = fact.grantId() + NODE_COPY;
    return fact.keys().stream().anyMatch(k -> k.keyId().equals(nodeCopy));
  }

  /** The grant new data for the pair is wrapped under, if the node issued one. */
  public Optional<Grant> grant(String pseudonym, String recipient) {
    return Optional.ofNullable(current.get(pair(pseudonym, recipient)));
  }

  public Optional<Grant> byId(String grantId) {
    return Optional.ofNullable(byId.get(grantId));
  }

  /** True if {@code grantId} is well formed and names no grant yet: what a release must use. */
  public boolean isFreshId(String grantId) {
    return GRANT_ID.matcher(grantId).matches() && !byId.containsKey(grantId);
  }

  /**
   * After a recipient rotated its encryption key: the next write for each of its pairs issues a new
   * grant wrapped for the new key; old grants keep opening old data with the old key.
   */
  public void retire(String recipient) {
    current.values().removeIf(g -> g.recipient().equals(recipient));
  }

  /**
   * Wraps every grant the node issued to the recipient again, for its current encryption key, in
   * one log append (one fact per grant): data granted to the recipient before it registered or
   * rotated its key stays open to it. Uses the node's copy of each grant key; a grant from a
   * patient's release has none and is left as it is (the patient releases again to the new key).
   *
   * @return how many grants were re-wrapped
   */
  public int rewrap(String recipient, KeyLog log) throws KeyLogException, GeneralSecurityException {
    synchronized (locks.of(recipient)) {
      JWK recipientKey = recipientKey(recipient);
      List<Grant> held =
          byId.values().stream()
              .filter(g -> g.recipient().equals(recipient) && withNodeCopy.contains(g.id()))
              .toList();
      if (held.isEmpty()) {
        return 0;
      }
      List<GrantFact> facts = new ArrayList<>(held.size());
      for (Grant grant : held) {
        facts.add(
            new GrantFact(
                recipient,
                grant.pseudonym(),
                List.of(jwe(grant.id(), recipientKey, key(grant, log))),
                new byte[0]));
      }
      List<Long> positions = log.appendGrants(facts);
      for (int i = 0; i < held.size(); i++) {
        rewrapped.put(held.get(i).id(), positions.get(i));
      }
      return held.size();
    }
  }

  /** The newest JWE of the grant key for its recipient (its original wrap, or a re-wrap). */
  public String recipientJwe(Grant grant, KeyLog log) throws KeyLogException {
    long position = rewrapped.getOrDefault(grant.id(), grant.position());
    return new String(log.grant(position).keys().get(0).wrapped(), StandardCharsets.UTF_8);
  }

  /**
   * The requester's grant that opens a version, from its own wraps or a later release.
   *
   * @param grantKeyIds the grants the version's data key is wrapped under
   * @param versionPosition where the version sits in the log
   */
  public Optional<Grant> grantFor(Set<String> grantKeyIds, long versionPosition, String requester) {
    for (String id : grantKeyIds) {
      Grant grant = byId.get(id);
      if (grant != null && grant.recipient().equals(requester)) {
        return Optional.of(grant);
      }
    }
    for (Released r : released.getOrDefault(versionPosition, List.of())) {
      Grant grant = byId.get(r.grantId());
      if (grant != null && grant.recipient().equals(requester)) {
        return Optional.of(grant);
      }
    }
    return Optional.empty();
  }

  /** The data key of a version wrapped under a grant by a later release, if there is one. */
  public Optional<byte[]> releasedDataKey(long versionPosition, String grantId) {
    return released.getOrDefault(versionPosition, List.of()).stream()
        .filter(r -> r.grantId().equals(grantId))
        .map(Released::wrappedDataKey)
        .findFirst();
  }

  /**
   * Returns the current grant for the pair, issuing it first if needed (and registering the
   * recipient with node-held keys if it has none): the fact is durable in the log before any data
   * key is wrapped under it.
   */
  public Grant ensure(String pseudonym, String recipient, KeyLog log)
      throws KeyLogException, GeneralSecurityException {
    String pair = pair(pseudonym, recipient);
    Grant existing = current.get(pair);
    if (existing != null) {
      return existing;
    }
    synchronized (locks.of(pair)) {
      existing = current.get(pair);
      if (existing != null) {
        return existing;
      }
      identities.register(recipient, log);
      SecretKey grantKey = DataKeys.newDataKey();
      String id = newGrantId();
      GrantFact fact = issue(pseudonym, recipient, id, grantKey, List.of(), new byte[0]);
      long position = log.appendGrants(List.of(fact)).get(0);
      Grant grant = new Grant(id, pseudonym, recipient, position);
      issued(grant, grantKey);
      return grant;
    }
  }

  /**
   * A new grant key for the recipient (and the node's copy), with data keys already wrapped under
   * it, not yet recorded; {@link #issued} once it is durable.
   *
   * @param statement the patient's signed release it cites, or empty
   */
  public GrantFact issue(
      String pseudonym,
      String recipient,
      String grantId,
      SecretKey grantKey,
      List<WrappedKey> releasedDataKeys,
      byte[] statement)
      throws GeneralSecurityException {
    List<WrappedKey> keys = new ArrayList<>();
    keys.add(jwe(grantId, recipientKey(recipient), grantKey));
    keys.add(jwe(grantId + NODE_COPY, identities.nodeEncryptionKey().toPublicJWK(), grantKey));
    keys.addAll(releasedDataKeys);
    return new GrantFact(recipient, pseudonym, keys, statement);
  }

  /** Records a grant issued with {@link #issue} once its fact is durable. */
  public void issued(Grant grant, SecretKey key) {
    byId.put(grant.id(), grant);
    withNodeCopy.add(grant.id());
    current.put(pair(grant.pseudonym(), grant.recipient()), grant);
    unwrapped.put(grant.id(), key);
  }

  private JWK recipientKey(String recipient) throws GeneralSecurityException {
    return identities
        .publicKey(recipient)
        .orElseThrow(() -> new GeneralSecurityException("no registered key for " + recipient));
  }

  private WrappedKey jwe(String keyId, JWK recipientKey, SecretKey grantKey)
      throws GeneralSecurityException {
    String jwe = recipientWrapper.wrap(recipientKey, grantKey);
    meters.counter("gateway.keys.wraps", "kind", "grant").increment();
    return new WrappedKey(keyId, algorithmFor(recipientKey), jwe.getBytes(StandardCharsets.UTF_8));
  }

  /** The JWE algorithm a grant key is wrapped with for a recipient's key. */
  public static String algorithmFor(JWK recipientKey) {
    return recipientKey.getKeyType().getValue().equals("RSA") ? "RSA-OAEP-256" : "ECDH-ES+A256KW";
  }

  /**
   * The grant key, unwrapped with the recipient's private key when this node holds it, else with
   * the node's own copy.
   */
  public SecretKey key(Grant grant, KeyLog log) throws GeneralSecurityException, KeyLogException {
    SecretKey cached = unwrapped.getIfPresent(grant.id());
    if (cached != null) {
      meters.counter("gateway.keys.cache", "key", "grant", "result", "hit").increment();
      return cached;
    }
    meters.counter("gateway.keys.cache", "key", "grant", "result", "miss").increment();
    GrantFact fact = log.grant(grant.position());
    Optional<JWK> recipientKey = identities.privateKey(grant.recipient());
    SecretKey key = null;
    for (WrappedKey wrapped : fact.keys()) {
      String jwe = new String(wrapped.wrapped(), StandardCharsets.UTF_8);
      if (wrapped.keyId().equals(grant.id()) && recipientKey.isPresent()) {
        key = tryUnwrap(recipientKey.get(), jwe);
      } else if (wrapped.keyId().equals(grant.id() + NODE_COPY)
          && withNodeCopy.contains(grant.id())) {
        // Only this node's own copies: another node's copy of its grant never opens here.
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

  /** A fresh grant id: {@code g-} + 16 random bytes, base64url. */
  public static String newGrantId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "g-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
