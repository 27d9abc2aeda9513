package org.healthgateway.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import org.healthgateway.keys.envelope.Envelope;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.internal.AesGcmContentCipher;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.MemoryKeyLog;

/**
 * One node's key broker as the server assembles it: a real keystore file, the real JOSE and AES
 * primitives, Caffeine caches and a simple meter registry, over an in-memory key log.
 */
public record BrokerFixture(
    Path keyStoreFile,
    EncryptedKeyStore keyStore,
    MemoryKeyLog log,
    SimpleMeterRegistry meters,
    Identities identities,
    GrantRing grants,
    Cache<Long, SecretKey> dataKeys,
    Envelope envelope) {

  public static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  /** A new node: an empty keystore in {@code dir}, an empty log. */
  public static BrokerFixture create(Path dir) throws KeyStorageException {
    return assemble(dir.resolve("keys.bcfks"), new MemoryKeyLog());
  }

  /**
   * The same node after a restart: the keystore reopened, empty caches and meters, the state
   * replayed from the log as the server's {@code RecordStore.open} does (an encryption key retires
   * the recipient's grants).
   */
  public BrokerFixture restart() throws KeyStorageException {
    BrokerFixture restarted = assemble(keyStoreFile, log);
    List<Object> facts = log.facts();
    for (int position = 0; position < facts.size(); position++) {
      if (facts.get(position) instanceof IdentityFact identity) {
        if (restarted.identities.apply(identity)) {
          restarted.grants.retire(identity.subject());
        }
      } else {
        restarted.grants.apply(position, (GrantFact) facts.get(position));
      }
    }
    return restarted;
  }

  /**
   * Registers an identity with node-held keys as {@link Identities#register} does, but with given
   * keys, so that tests need not generate an RSA-3072 key each.
   */
  public void registerHeld(String ref, JWK encryptionKey, JWK signingKey) throws Exception {
    Map<String, JWK> keys = new LinkedHashMap<>();
    keys.put(ref, encryptionKey);
    keys.put(ref + Identities.SIGNING_SUFFIX, signingKey);
    keyStore.putAll(keys);
    identities.registerPublicKeys(ref, encryptionKey, signingKey, log);
  }

  /** Registers a patient with node-held keys and returns its pseudonym. */
  public String registerPatient(String ref) throws Exception {
    identities.register(ref, log);
    return identities.pseudonym(ref).orElseThrow();
  }

  /** How often a counter of the broker was incremented. */
  public double count(String name, String... tags) {
    var counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  private static BrokerFixture assemble(Path file, MemoryKeyLog log) throws KeyStorageException {
    EncryptedKeyStore keyStore = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Identities identities = new Identities(keyStore);
    Cache<String, SecretKey> grantKeys = Caffeine.newBuilder().maximumSize(1_000).build();
    GrantRing grants = new GrantRing(identities, JweKeyWrapper.create(), grantKeys, meters);
    Cache<Long, SecretKey> dataKeys = Caffeine.newBuilder().maximumSize(1_000).build();
    Envelope envelope =
        new Envelope(
            grants, AesGcmContentCipher.create(), AesKeyWrapper.create(), dataKeys, meters);
    return new BrokerFixture(file, keyStore, log, meters, identities, grants, dataKeys, envelope);
  }
}
