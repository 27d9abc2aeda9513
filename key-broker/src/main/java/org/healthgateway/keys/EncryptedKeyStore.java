package org.healthgateway.keys;

import com.nimbusds.jose.jwk.JWK;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.healthgateway.keys.policy.KeyPolicy;
import org.healthgateway.keys.policy.Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private keys of local identities (practitioners, custodial patients, the node) behind one
 * password: a Bouncy Castle FIPS keystore file ({@code BCFKS}) holding the vault key, and the key
 * vault beside it ({@code <file>.vault}, {@link KeyVault}) holding the keys, each sealed with
 * AES-256-GCM under the vault key. Adding a key appends to the vault and fsyncs it; the keystore
 * file, whose every write derives keys with PBKDF2, is written once, when the vault key is made.
 *
 * <p>Keystores of the first format hold each key as a {@code PrivateKeyEntry} under the alias
 * {@code key-NNNNNNNNNN} with a self-signed certificate whose subject CN is the identity reference;
 * they are still read, their keys count as older than any vault key, and opening one adds the vault
 * key. An identity may hold several keys (rotation keeps the old ones); {@link #get} returns the
 * newest.
 *
 * <p>One process should own a keystore at a time. The class is thread-safe; opened keys are cached
 * in memory.
 */
public final class EncryptedKeyStore implements AutoCloseable {

  /** Longest identity reference accepted. */
  public static final int MAX_IDENTITY_CHARS = 128;

  private static final Logger log = LoggerFactory.getLogger(EncryptedKeyStore.class);
  private static final String TYPE = "BCFKS";
  private static final Pattern ENTRY_ALIAS = Pattern.compile("key-(\\d{10})");
  private static final String WRONG_PASSWORD =
      "keystore password is wrong or the keystore is damaged: ";

  /** Keystore alias of the vault key (AES-256). */
  static final String VAULT_KEY_ALIAS = "vault-key";

  /** Where a key is: a first-format keystore entry ({@code vault < 0}) or a vault record. */
  private record Entry(String alias, long vault, String thumbprint) {
    String cacheKey() {
      return vault < 0 ? alias : "vault-" + vault;
    }
  }

  private final Path file;
  private final char[] password;
  private final KeyStore keyStore; // guarded by this
  private final KeyVault vault; // guarded by this
  private final Map<String, JWK> cache = new ConcurrentHashMap<>();
  private volatile Map<String, List<Entry>> index; // identity -> entries, newest first

  private EncryptedKeyStore(Path file, char[] password, KeyStore keyStore)
      throws GeneralSecurityException, IOException {
    this.file = file;
    this.password = password;
    this.keyStore = keyStore;
    Map<String, List<Entry>> byIdentity = readFirstFormat();
    SecretKey vaultKey = vaultKey();
    this.vault =
        KeyVault.open(
            vaultFile(file),
            vaultKey,
            stored -> {
              List<Entry> entries =
                  new ArrayList<>(byIdentity.getOrDefault(stored.identity(), List.of()));
              entries.add(0, new Entry(null, stored.sequence(), stored.thumbprint()));
              byIdentity.put(stored.identity(), entries);
            });
    Map<String, List<Entry>> frozen = new HashMap<>();
    byIdentity.forEach((identity, entries) -> frozen.put(identity, List.copyOf(entries)));
    this.index = Map.copyOf(frozen);
  }

  /** The vault file beside a keystore file. */
  static Path vaultFile(Path keystoreFile) {
    return keystoreFile.resolveSibling(keystoreFile.getFileName() + ".vault");
  }

  /** The vault key from the keystore; made and written (one PBKDF2-protected write) if absent. */
  private SecretKey vaultKey() throws GeneralSecurityException, IOException {
    if (keyStore.containsAlias(VAULT_KEY_ALIAS)) {
      return (SecretKey) keyStore.getKey(VAULT_KEY_ALIAS, password);
    }
    if (Files.exists(vaultFile(file))) {
      throw new GeneralSecurityException(
          "keystore " + file + " has no vault key but the vault " + vaultFile(file) + " exists");
    }
    KeyGenerator generator = KeyGenerator.getInstance("AES");
    generator.init(256);
    SecretKey key = generator.generateKey();
    keyStore.setEntry(
        VAULT_KEY_ALIAS,
        new KeyStore.SecretKeyEntry(key),
        new KeyStore.PasswordProtection(password));
    persist();
    return key;
  }

  /**
   * Opens the keystore at {@code file}, or creates an empty one there if there is no file.
   *
   * @param password the keystore password; the store keeps its own copy
   * @throws KeyStorageException if the file cannot be read or written, or the password is wrong
   */
  public static EncryptedKeyStore openOrCreate(Path file, char[] password)
      throws KeyStorageException {
    Objects.requireNonNull(file, "file");
    if (password == null || password.length == 0) {
      throw new IllegalArgumentException("keystore password must not be empty");
    }
    Path path = file.toAbsolutePath();
    Provider bc = Providers.BOUNCY_CASTLE;
    char[] copy = password.clone();
    KeyStore keyStore;
    try {
      keyStore = KeyStore.getInstance(TYPE, bc);
    } catch (GeneralSecurityException e) {
      throw new KeyStorageException("keystore type " + TYPE + " is not available", e);
    }
    if (Files.exists(path)) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new KeyStorageException("cannot read keystore " + path, e);
      }
      try {
        keyStore.load(new ByteArrayInputStream(bytes), copy);
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new KeyStorageException(WRONG_PASSWORD + path, e);
      }
      try {
        return new EncryptedKeyStore(path, copy, keyStore);
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new KeyStorageException(
            "cannot open the key vault of " + path + ": " + e.getMessage(), e);
      }
    }
    try {
      keyStore.load(null, copy);
      Files.createDirectories(path.getParent());
      EncryptedKeyStore store = new EncryptedKeyStore(path, copy, keyStore);
      log.info("created keystore {}", path);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new KeyStorageException("cannot create keystore " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds {@code privateKey} as the newest key of {@code identity} and writes the file; storing a
   * key the identity already holds does nothing.
   *
   * @throws KeyStorageException with an {@link java.security.InvalidKeyException} as cause if the
   *     key is not a supported private key
   */
  public void put(String identity, JWK privateKey) throws KeyStorageException {
    putAll(Map.of(identity, privateKey));
  }

  /**
   * Adds each key as the newest key of its identity and writes the file once (each write derives
   * the file's MAC key with PBKDF2, so registering two keys costs one write, not two). Keys an
   * identity already holds are skipped. All or nothing: if one key is refused or the file cannot be
   * written, none is added.
   *
   * @throws KeyStorageException with an {@link java.security.InvalidKeyException} as cause if a key
   *     is not a supported private key
   */
  public void putAll(Map<String, JWK> keysByIdentity) throws KeyStorageException {
    keysByIdentity.forEach(
        (identity, privateKey) -> {
          requireIdentity(identity);
          Objects.requireNonNull(privateKey, "privateKey");
          if (!privateKey.isPrivate()) {
            throw new IllegalArgumentException("only private keys are stored");
          }
        });
    synchronized (this) {
      Map<String, List<Entry>> updated = new HashMap<>(index);
      List<KeyVault.Sealed> toSeal = new ArrayList<>();
      Map<String, JWK> added = new HashMap<>();
      long sequence = vault.nextSequence();
      for (Map.Entry<String, JWK> key : keysByIdentity.entrySet()) {
        String identity = key.getKey();
        String thumbprint;
        JWK jwk;
        try {
          KeyPolicy.requireSupported(key.getValue());
          thumbprint = KeyPolicy.thumbprint(key.getValue());
          KeyPair keyPair = KeyConversions.toKeyPair(key.getValue());
          jwk = KeyConversions.toJwk(keyPair.getPublic(), keyPair.getPrivate());
        } catch (GeneralSecurityException e) {
          throw new KeyStorageException("cannot store a key for " + identity, e);
        }
        List<Entry> existing = updated.getOrDefault(identity, List.of());
        if (existing.stream().anyMatch(e -> e.thumbprint().equals(thumbprint))) {
          continue;
        }
        Entry entry = new Entry(null, sequence++, thumbprint);
        toSeal.add(new KeyVault.Sealed(entry.vault(), identity, thumbprint, jwk.toJSONString()));
        added.put(entry.cacheKey(), jwk);
        List<Entry> entries = new ArrayList<>(existing);
        entries.add(0, entry);
        updated.put(identity, List.copyOf(entries));
      }
      if (toSeal.isEmpty()) {
        return;
      }
      try {
        vault.append(toSeal);
      } catch (IOException | GeneralSecurityException e) {
        throw new KeyStorageException("cannot write key vault " + vault.file(), e);
      }
      cache.putAll(added);
      index = Map.copyOf(updated);
    }
  }

  /** Returns the newest private key of {@code identity}, with {@code kid} = its thumbprint. */
  public Optional<JWK> get(String identity) throws KeyStorageException {
    List<Entry> entries = index.get(identity);
    return entries == null ? Optional.empty() : Optional.of(load(entries.get(0)));
  }

  /** Returns every private key of {@code identity}, newest first; empty if none. */
  public List<JWK> all(String identity) throws KeyStorageException {
    List<JWK> keys = new ArrayList<>();
    for (Entry entry : index.getOrDefault(identity, List.of())) {
      keys.add(load(entry));
    }
    return Collections.unmodifiableList(keys);
  }

  /** Closes the vault file; the store is unusable afterwards. */
  @Override
  public void close() throws KeyStorageException {
    synchronized (this) {
      try {
        vault.close();
      } catch (IOException e) {
        throw new KeyStorageException("cannot close key vault " + vault.file(), e);
      }
    }
  }

  /** Returns the identities that hold at least one key. */
  public Set<String> aliases() {
    return index.keySet();
  }

  private JWK load(Entry entry) throws KeyStorageException {
    JWK cached = cache.get(entry.cacheKey());
    if (cached != null) {
      return cached;
    }
    synchronized (this) {
      JWK jwk;
      try {
        if (entry.vault() >= 0) {
          jwk = JWK.parse(vault.read(entry.vault()).jwkJson());
        } else {
          PrivateKey privateKey = (PrivateKey) keyStore.getKey(entry.alias(), password);
          jwk =
              KeyConversions.toJwk(
                  keyStore.getCertificate(entry.alias()).getPublicKey(), privateKey);
        }
      } catch (IOException | GeneralSecurityException | ParseException | RuntimeException e) {
        throw new KeyStorageException(WRONG_PASSWORD + file, e);
      }
      cache.put(entry.cacheKey(), jwk);
      return jwk;
    }
  }

  /** Keys of the first format: {@code PrivateKeyEntry}s with the identity in the certificate. */
  private Map<String, List<Entry>> readFirstFormat() throws GeneralSecurityException {
    Map<String, List<Entry>> byIdentity = new HashMap<>();
    for (String alias : Collections.list(keyStore.aliases())) {
      if (alias.equals(VAULT_KEY_ALIAS)) {
        continue;
      }
      Matcher matcher = ENTRY_ALIAS.matcher(alias);
      if (!matcher.matches() || !keyStore.isKeyEntry(alias)) {
        log.warn("keystore {}: ignoring entry {} not written by this class", file, alias);
        continue;
      }
      X509Certificate certificate = (X509Certificate) keyStore.getCertificate(alias);
      String identity = SelfSignedCertificates.commonName(certificate);
      String thumbprint =
          KeyPolicy.thumbprint(KeyConversions.toJwk(certificate.getPublicKey(), null));
      byIdentity
          .computeIfAbsent(identity, k -> new ArrayList<>())
          .add(new Entry(alias, -1, thumbprint));
    }
    byIdentity.values().forEach(entries -> entries.sort((a, b) -> b.alias().compareTo(a.alias())));
    return byIdentity;
  }

  private void persist() throws IOException, GeneralSecurityException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    keyStore.store(buffer, password);
    Path directory = file.getParent();
    Path temp = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory(directory);
  }

  private static void syncDirectory(Path directory) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(directory, StandardOpenOption.READ);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename is all they offer.
      log.debug("cannot open {} to sync it", directory, e);
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }

  private static void requireIdentity(String identity) {
    Objects.requireNonNull(identity, "identity");
    if (identity.isBlank()
        || identity.length() > MAX_IDENTITY_CHARS
        || identity.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "identity must be 1 to " + MAX_IDENTITY_CHARS + " printable characters");
    }
  }
}
