package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.KeyStorageException;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionType;

/**
 * Who has which public key, and the private keys this node holds (its own, its practitioners' and
 * clients', and custodial patients'). Public keys come from IDENTITY transactions on the ledger;
 * private keys from the encrypted keystore.
 */
public final class IdentityRegistry {
  /** Identity reference of this node; its key signs checkpoints and IDENTITY transactions. */
  public static final String NODE = "Device/node";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EncryptedKeyStore keyStore;
  private final Map<String, JWK> publicKeys = new ConcurrentHashMap<>();
  private final Map<String, String> pseudonymByPatient = new ConcurrentHashMap<>();
  private final Map<String, String> patientByPseudonym = new ConcurrentHashMap<>();

  public IdentityRegistry(EncryptedKeyStore keyStore) {
    this.keyStore = keyStore;
  }

  /** Learns an identity from its ledger transaction. */
  public void apply(Transaction tx) throws LedgerException {
    try {
      JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
      publicKeys.put(tx.subject(), key);
      if (!tx.patient().isEmpty()) {
        pseudonymByPatient.put(tx.subject(), tx.patient());
        patientByPseudonym.put(tx.patient(), tx.subject());
      }
    } catch (ParseException e) {
      throw new LedgerException("identity transaction without a valid JWK: " + tx.subject(), e);
    }
  }

  public Optional<JWK> publicKey(String ref) {
    return Optional.ofNullable(publicKeys.get(ref));
  }

  public boolean isRegistered(String ref) {
    return publicKeys.containsKey(ref);
  }

  /** The ledger pseudonym of a patient ({@code Patient/id}), if the patient is registered. */
  public Optional<String> pseudonym(String patientRef) {
    return Optional.ofNullable(pseudonymByPatient.get(patientRef));
  }

  public Optional<String> patientOf(String pseudonym) {
    return Optional.ofNullable(patientByPseudonym.get(pseudonym));
  }

  /** The private key this node holds for the identity. */
  public Optional<JWK> privateKey(String ref) throws GeneralSecurityException {
    try {
      return keyStore.get(ref);
    } catch (KeyStorageException e) {
      throw new GeneralSecurityException("keystore unavailable", e);
    }
  }

  /**
   * Registers an identity with a fresh node-held key pair: EC P-256 for patients (custodial,
   * cheap to make), RSA-3072 for everyone else. Appends the IDENTITY transaction durably before
   * returning, so nothing is ever wrapped for a key the ledger does not know.
   */
  public synchronized void register(String ref, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    if (isRegistered(ref)) {
      return;
    }
    JWK privateKey = ref.startsWith("Patient/") ? KeyPairs.generateEc() : KeyPairs.generateRsa();
    try {
      keyStore.put(ref, privateKey);
    } catch (KeyStorageException e) {
      throw new GeneralSecurityException("cannot store the key of " + ref, e);
    }
    String pseudonym = ref.startsWith("Patient/") ? newPseudonym() : "";
    Transaction tx = identityTransaction(ref, pseudonym, privateKey.toPublicJWK());
    ledger.append(List.of(tx));
    apply(tx);
  }

  /** Creates this node's own key and its self-signed IDENTITY transaction on an empty ledger. */
  public synchronized JWK ensureNodeKey() {
    try {
      Optional<JWK> existing = keyStore.get(NODE);
      if (existing.isPresent()) {
        return existing.get();
      }
      JWK key = KeyPairs.generateEc();
      keyStore.put(NODE, key);
      return key;
    } catch (KeyStorageException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load or create the node key", e);
    }
  }

  /** The node's self-signed identity, the first entry of a new ledger. */
  public Transaction nodeIdentityTransaction() throws LedgerException, GeneralSecurityException {
    return identityTransaction(NODE, "", ensureNodeKey().toPublicJWK());
  }

  private Transaction identityTransaction(String ref, String pseudonym, JWK publicKey)
      throws LedgerException, GeneralSecurityException {
    Transaction unsigned =
        new Transaction(
            TransactionType.IDENTITY,
            ref,
            pseudonym,
            List.of(),
            NODE,
            Instant.now(),
            new byte[0],
            publicKey.toJSONString().getBytes(StandardCharsets.UTF_8),
            List.of(),
            "");
    return sign(unsigned, NODE);
  }

  /** Signs a transaction with the private key of {@code author} held by this node. */
  public Transaction sign(Transaction unsigned, String author)
      throws LedgerException, GeneralSecurityException {
    JWK key =
        privateKey(author)
            .orElseThrow(() -> new LedgerException("this node holds no key for " + author));
    return unsigned.withSignature(DetachedJws.sign(key, TransactionCodec.signingInput(unsigned)));
  }

  private static String newPseudonym() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "p-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
