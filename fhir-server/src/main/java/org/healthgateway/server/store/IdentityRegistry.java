package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
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
import org.healthgateway.ledger.TransactionSigner;
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
  private static final String SIGNING_SUFFIX = "#sig";

  private final EncryptedKeyStore keyStore;
  private final Map<String, JWK> publicKeys = new ConcurrentHashMap<>();
  private final Map<String, JWK> signingKeys = new ConcurrentHashMap<>();
  private final Map<String, String> pseudonymByPatient = new ConcurrentHashMap<>();
  private final Map<String, String> patientByPseudonym = new ConcurrentHashMap<>();
  // Prepared signers by kid (the keystore's JWKs carry their thumbprint): converting a key and
  // building its JWS header once saves that work on every signed version.
  private final Map<String, TransactionSigner> signers = new ConcurrentHashMap<>();

  public IdentityRegistry(EncryptedKeyStore keyStore) {
    this.keyStore = keyStore;
  }

  /**
   * Learns an identity from its ledger transaction.
   *
   * @return true if the transaction registered an encryption key (which replaces an earlier one)
   */
  public boolean apply(Transaction tx) throws LedgerException {
    try {
      JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
      boolean encryption = !KeyUse.SIGNATURE.equals(key.getKeyUse());
      if (encryption) {
        publicKeys.put(tx.subject(), key);
      } else {
        signingKeys.put(tx.subject(), key);
      }
      if (!tx.patient().isEmpty()) {
        pseudonymByPatient.put(tx.subject(), tx.patient());
        patientByPseudonym.put(tx.patient(), tx.subject());
      }
      return encryption;
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
    } catch (GeneralSecurityException | com.nimbusds.jose.JOSEException e) {
      return false;
    }
  }

  /** The private (decryption) key this node holds for the identity. */
  public Optional<JWK> privateKey(String ref) throws GeneralSecurityException {
    try {
      return keyStore.get(ref);
    } catch (KeyStorageException e) {
      throw new GeneralSecurityException("keystore unavailable", e);
    }
  }

  /**
   * Registers an identity with two fresh node-held key pairs, each in its own IDENTITY transaction:
   * an encryption key that grant keys are wrapped for (RSA-3072, RSA-OAEP-256; EC P-256 for
   * custodial patients, cheap to make) and an EC P-256 signing key (ES256), because an RSA-3072
   * signature per written resource would cost milliseconds. Both are durable on the ledger before
   * returning, so nothing is ever wrapped for a key the ledger does not know.
   */
  public synchronized void register(String ref, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    if (isRegistered(ref)) {
      return;
    }
    JWK encryptionKey = ref.startsWith("Patient/") ? KeyPairs.generateEc() : KeyPairs.generateRsa();
    JWK signingKey = KeyPairs.generateEc();
    try {
      Map<String, JWK> keys = new LinkedHashMap<>();
      keys.put(ref, encryptionKey);
      keys.put(ref + SIGNING_SUFFIX, signingKey);
      keyStore.putAll(keys);
    } catch (KeyStorageException e) {
      throw new GeneralSecurityException("cannot store the keys of " + ref, e);
    }
    registerPublicKeys(ref, encryptionKey, signingKey, ledger);
  }

  /**
   * Registers public keys whose private halves the user holds (a patient's wallet): they replace
   * the node-held keys for new wraps and signature checks; a patient keeps its pseudonym.
   */
  public synchronized void registerPublicKeys(
      String ref, JWK encryptionKey, JWK signingKey, Ledger ledger)
      throws LedgerException, GeneralSecurityException {
    String pseudonym =
        ref.startsWith("Patient/") ? pseudonym(ref).orElseGet(IdentityRegistry::newPseudonym) : "";
    List<Transaction> txs =
        List.of(
            identityTransaction(ref, pseudonym, withUse(encryptionKey, KeyUse.ENCRYPTION)),
            identityTransaction(ref, pseudonym, withUse(signingKey, KeyUse.SIGNATURE)));
    ledger.append(txs);
    for (Transaction tx : txs) {
      apply(tx);
    }
  }

  private static JWK withUse(JWK key, KeyUse use) {
    JWK publicKey = key.toPublicJWK();
    if (publicKey instanceof ECKey ec) {
      return new ECKey.Builder(ec).keyUse(use).build();
    }
    return new RSAKey.Builder((RSAKey) publicKey).keyUse(use).build();
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

  /**
   * The node's own encryption key (EC P-256), for its copies of the grant keys it issues; made on
   * first use, kept in the keystore.
   */
  public synchronized JWK nodeEncryptionKey() {
    try {
      Optional<JWK> existing = keyStore.get(NODE + "#enc");
      if (existing.isPresent()) {
        return existing.get();
      }
      JWK key = KeyPairs.generateEc();
      keyStore.put(NODE + "#enc", key);
      return key;
    } catch (KeyStorageException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load or create the node encryption key", e);
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
    Optional<JWK> signing =
        author.equals(NODE) ? privateKey(NODE) : privateKey(author + SIGNING_SUFFIX);
    JWK key =
        signing.orElseThrow(
            () -> new LedgerException("this node holds no signing key for " + author));
    TransactionSigner signer = signers.get(key.getKeyID());
    if (signer == null) {
      signer = DetachedJws.signer(key);
      signers.put(key.getKeyID(), signer);
    }
    return unsigned.withSignature(signer.sign(TransactionCodec.signingInput(unsigned)));
  }

  private static String newPseudonym() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "p-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
