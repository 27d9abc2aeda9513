package org.healthgateway.keys.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.KeyStorageException;
import org.healthgateway.keys.Locks;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * Who has which public key, and the private keys this node holds (its own, its practitioners' and
 * clients', and custodial patients'). Public keys come from {@link IdentityFact}s in the key log;
 * private keys from the encrypted keystore, under the identity's reference (encryption key) and the
 * reference + {@value #SIGNING_SUFFIX} (signing key).
 *
 * <p>Thread-safe. Registering one identity holds a lock for that identity only, across the keystore
 * write and the log append; other identities register meanwhile.
 */
public final class Identities {
  /**
   * The default identity reference of a node, and the keystore alias of every node's own keys
   * whatever its identity; the node's key signs checkpoints and the key log's facts.
   */
  public static final String NODE = "Device/node";

  /** Alias suffix of an identity's signing key in the keystore. */
  public static final String SIGNING_SUFFIX = "#sig";

  private static final String NODE_ENCRYPTION = NODE + "#enc";
  private static final String PATIENT_PREFIX = "Patient/";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EncryptedKeyStore keyStore;
  private final String node;
  private final Map<String, JWK> publicKeys = new ConcurrentHashMap<>();
  private final Map<String, JWK> signingKeys = new ConcurrentHashMap<>();
  private final Map<String, String> pseudonymByPatient = new ConcurrentHashMap<>();
  private final Map<String, String> patientByPseudonym = new ConcurrentHashMap<>();
  private final Map<String, String> homeNodes = new ConcurrentHashMap<>();
  private final Locks locks = new Locks();

  /** The identities of a node called {@value #NODE}. */
  public Identities(EncryptedKeyStore keyStore) {
    this(keyStore, NODE);
  }

  /**
   * @param node this node's identity reference ({@code Device/<id>}): what its own records name as
   *     author; nodes sharing a ledger each have their own
   */
  public Identities(EncryptedKeyStore keyStore, String node) {
    if (!node.startsWith("Device/") || node.length() == "Device/".length()) {
      throw new IllegalArgumentException("a node identity is Device/<id>, not " + node);
    }
    this.keyStore = keyStore;
    this.node = node;
  }

  /** This node's identity reference, e.g. {@code Device/node} or {@code Device/hospital-a}. */
  public String node() {
    return node;
  }

  /**
   * Learns an identity from a fact this node recorded.
   *
   * @return true if the fact registered an encryption key (which replaces an earlier one)
   */
  public boolean apply(IdentityFact fact) {
    return apply(fact, node);
  }

  /**
   * Learns an identity from its fact in the log, recorded by the node {@code issuer}; the first
   * issuer of an identity is its home node (on a shared ledger only it may register the identity's
   * keys, which every node's ledger checks).
   *
   * @return true if the fact registered an encryption key (which replaces an earlier one)
   */
  public boolean apply(IdentityFact fact, String issuer) {
    homeNodes.putIfAbsent(fact.subject(), issuer);
    JWK key = fact.publicKey();
    boolean encryption = !KeyUse.SIGNATURE.equals(key.getKeyUse());
    if (encryption) {
      publicKeys.put(fact.subject(), key);
    } else {
      signingKeys.put(fact.subject(), key);
    }
    if (!fact.pseudonym().isEmpty()) {
      pseudonymByPatient.put(fact.subject(), fact.pseudonym());
      patientByPseudonym.put(fact.pseudonym(), fact.subject());
    }
    return encryption;
  }

  /** The identity's current public encryption key. */
  public Optional<JWK> publicKey(String ref) {
    return Optional.ofNullable(publicKeys.get(ref));
  }

  public boolean isRegistered(String ref) {
    return publicKeys.containsKey(ref);
  }

  /** The node that registered the identity first, if it is registered. */
  public Optional<String> homeNode(String ref) {
    return Optional.ofNullable(homeNodes.get(ref));
  }

  /**
   * True if another node registered the identity: its keys are held there, and this node neither
   * acts nor reads for it.
   */
  public boolean belongsToAnotherNode(String ref) {
    String home = homeNodes.get(ref);
    return home != null && !home.equals(node);
  }

  /** The ledger pseudonym of a patient ({@code Patient/id}), if the patient is registered. */
  public Optional<String> pseudonym(String patientRef) {
    return Optional.ofNullable(pseudonymByPatient.get(patientRef));
  }

  /** The patient ({@code Patient/id}) a pseudonym stands for. */
  public Optional<String> patientOf(String pseudonym) {
    return Optional.ofNullable(patientByPseudonym.get(pseudonym));
  }

  /** The public key that verifies the identity's signatures. */
  public Optional<JWK> signingKey(String ref) {
    return Optional.ofNullable(signingKeys.get(ref));
  }

  /**
   * True if this node holds the private half of the identity's current signing key: a custodial
   * patient, or a user whose keys the node made. False once the user registered keys it holds
   * itself (a wallet), and for unknown identities.
   */
  public boolean holdsSigningKey(String ref) {
    try {
      Optional<JWK> held = privateKey(ref + SIGNING_SUFFIX);
      JWK registered = signingKeys.get(ref);
      return held.isPresent()
          && registered != null
          && held.get().computeThumbprint().equals(registered.computeThumbprint());
    } catch (GeneralSecurityException | JOSEException e) {
      return false;
    }
  }

  /** The private key this node holds under a keystore alias ({@code ref} or {@code ref#sig}). */
  public Optional<JWK> privateKey(String alias) throws GeneralSecurityException {
    try {
      return keyStore.get(alias);
    } catch (KeyStorageException e) {
      throw new GeneralSecurityException("keystore unavailable", e);
    }
  }

  /**
   * The private key that signs what {@code author} writes: the node's own key for {@link #node()},
   * else the author's signing key.
   */
  public Optional<JWK> signingPrivateKey(String author) throws GeneralSecurityException {
    return author.equals(node) ? Optional.of(nodeKey()) : privateKey(author + SIGNING_SUFFIX);
  }

  /**
   * Registers an identity with two fresh node-held key pairs: an encryption key that grant keys are
   * wrapped for (RSA-3072, RSA-OAEP-256; EC P-256 for custodial patients, cheap to make) and an EC
   * P-256 signing key (ES256), because an RSA-3072 signature per written resource would cost
   * milliseconds. Both are in the keystore (one write) and durable in the log before returning. A
   * patient gets a fresh pseudonym. Does nothing if the identity is registered.
   */
  public void register(String ref, KeyLog log) throws KeyLogException, GeneralSecurityException {
    synchronized (locks.of(ref)) {
      if (isRegistered(ref)) {
        return;
      }
      JWK encryptionKey =
          ref.startsWith(PATIENT_PREFIX) ? KeyPairs.generateEc() : KeyPairs.generateRsa();
      JWK signingKey = KeyPairs.generateEc();
      Map<String, JWK> keys = new LinkedHashMap<>();
      keys.put(ref, encryptionKey);
      keys.put(ref + SIGNING_SUFFIX, signingKey);
      try {
        keyStore.putAll(keys);
      } catch (KeyStorageException e) {
        throw new GeneralSecurityException("cannot store the keys of " + ref, e);
      }
      record(ref, encryptionKey, signingKey, log);
    }
  }

  /**
   * Registers public keys whose private halves the user holds (a patient's wallet): they replace
   * the node-held keys for new wraps and signature checks; a patient keeps its pseudonym. Only the
   * public halves are recorded. Whether the user may do so (proof of possession, rotation proof,
   * registrar) is the caller's decision ({@code KeyRule}).
   *
   * @throws InvalidKeyException if {@link KeyPolicy} refuses a key for its purpose (an RSA key
   *     under 3072 bits, another curve than P-256, a key marked for another use, algorithm or
   *     operation): every later wrap or signature check with it would fail; nothing is recorded
   */
  public void registerPublicKeys(String ref, JWK encryptionKey, JWK signingKey, KeyLog log)
      throws KeyLogException, InvalidKeyException {
    KeyPolicy.keyWrapAlgorithm(encryptionKey);
    KeyPolicy.signatureAlgorithm(signingKey);
    synchronized (locks.of(ref)) {
      record(ref, encryptionKey, signingKey, log);
    }
  }

  private void record(String ref, JWK encryptionKey, JWK signingKey, KeyLog log)
      throws KeyLogException {
    String pseudonym =
        ref.startsWith(PATIENT_PREFIX) ? pseudonym(ref).orElseGet(Identities::newPseudonym) : "";
    List<IdentityFact> facts =
        List.of(
            new IdentityFact(ref, pseudonym, withUse(encryptionKey, KeyUse.ENCRYPTION)),
            new IdentityFact(ref, pseudonym, withUse(signingKey, KeyUse.SIGNATURE)));
    log.appendIdentities(facts);
    facts.forEach(this::apply);
  }

  private static JWK withUse(JWK key, KeyUse use) {
    JWK publicKey = key.toPublicJWK();
    if (publicKey instanceof ECKey ec) {
      return new ECKey.Builder(ec).keyUse(use).build();
    }
    return new RSAKey.Builder((RSAKey) publicKey).keyUse(use).build();
  }

  /** This node's signing key (EC P-256), made on first use and kept in the keystore. */
  public JWK nodeKey() {
    return keyOf(NODE);
  }

  /**
   * The node's own encryption key (EC P-256), for its copies of the grant keys it issues; made on
   * first use, kept in the keystore.
   */
  public JWK nodeEncryptionKey() {
    return keyOf(NODE_ENCRYPTION);
  }

  private JWK keyOf(String alias) {
    synchronized (locks.of(alias)) {
      try {
        Optional<JWK> existing = keyStore.get(alias);
        if (existing.isPresent()) {
          return existing.get();
        }
        JWK key = KeyPairs.generateEc();
        keyStore.put(alias, key);
        return key;
      } catch (KeyStorageException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot load or create the key " + alias, e);
      }
    }
  }

  /** The node's self-registered identity, the first fact of a new log. */
  public IdentityFact nodeIdentity() {
    return new IdentityFact(node, "", nodeKey().toPublicJWK());
  }

  private static String newPseudonym() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "p-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
