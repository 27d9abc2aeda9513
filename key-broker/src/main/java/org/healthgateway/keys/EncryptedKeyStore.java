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
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
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
import org.healthgateway.keys.policy.KeyPolicy;
import org.healthgateway.keys.policy.Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private keys of local identities (practitioners, the node) in a password-protected Bouncy Castle
 * FIPS keystore file ({@code BCFKS}).
 *
 * <p>Each key is a {@code PrivateKeyEntry} under the entry alias {@code key-NNNNNNNNNN} (a sequence
 * number, so entries sort by age) with a self-signed X.509 certificate whose subject CN is the
 * identity reference, for example {@code Practitioner/abc}. The identity lives in the certificate
 * rather than in the entry alias because identity references are case-sensitive and may hold
 * characters keystore aliases do not promise to keep. An identity may hold several keys (rotation
 * keeps the old ones); {@link #get} returns the newest.
 *
 * <p>Every change rewrites the whole file atomically: temp file in the same directory, fsync,
 * atomic rename, fsync of the directory. One process should own a keystore file at a time. The
 * class is thread-safe; parsed keys are cached in memory.
 */
public final class EncryptedKeyStore {

  /** Longest identity reference accepted. */
  public static final int MAX_IDENTITY_CHARS = 128;

  private static final Logger log = LoggerFactory.getLogger(EncryptedKeyStore.class);
  private static final String TYPE = "BCFKS";
  private static final Pattern ENTRY_ALIAS = Pattern.compile("key-(\\d{10})");
  private static final String WRONG_PASSWORD =
      "keystore password is wrong or the keystore is damaged: ";

  private record Entry(String alias, String thumbprint) {}

  private final Path file;
  private final char[] password;
  private final Provider provider;
  private final KeyStore keyStore; // guarded by this
  private final Map<String, JWK> cache = new ConcurrentHashMap<>();
  private volatile Map<String, List<Entry>> index; // identity -> entries, newest first
  private long nextSequence; // guarded by this

  private EncryptedKeyStore(Path file, char[] password, Provider provider, KeyStore keyStore)
      throws GeneralSecurityException {
    this.file = file;
    this.password = password;
    this.provider = provider;
    this.keyStore = keyStore;
    this.index = readIndex();
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
        return new EncryptedKeyStore(path, copy, bc, keyStore);
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new KeyStorageException(WRONG_PASSWORD + path, e);
      }
    }
    try {
      keyStore.load(null, copy);
      EncryptedKeyStore store = new EncryptedKeyStore(path, copy, bc, keyStore);
      Files.createDirectories(path.getParent());
      store.persist();
      log.info("created keystore {}", path);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new KeyStorageException("cannot create keystore " + path, e);
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
      Map<String, JWK> added = new HashMap<>();
      try {
        for (Map.Entry<String, JWK> key : keysByIdentity.entrySet()) {
          String identity = key.getKey();
          String thumbprint;
          KeyPair keyPair;
          try {
            KeyPolicy.requireSupported(key.getValue());
            thumbprint = KeyPolicy.thumbprint(key.getValue());
            keyPair = KeyConversions.toKeyPair(key.getValue());
          } catch (GeneralSecurityException e) {
            throw new KeyStorageException("cannot store a key for " + identity, e);
          }
          List<Entry> existing = updated.getOrDefault(identity, List.of());
          if (existing.stream().anyMatch(e -> e.thumbprint().equals(thumbprint))) {
            continue;
          }
          String alias = String.format("key-%010d", nextSequence + added.size());
          setEntry(alias, identity, keyPair);
          added.put(alias, KeyConversions.toJwk(keyPair.getPublic(), keyPair.getPrivate()));
          List<Entry> entries = new ArrayList<>(existing);
          entries.add(0, new Entry(alias, thumbprint));
          updated.put(identity, List.copyOf(entries));
        }
        if (added.isEmpty()) {
          return;
        }
        persist();
      } catch (IOException | GeneralSecurityException | KeyStorageException e) {
        for (String alias : added.keySet()) {
          deleteEntry(alias);
        }
        if (e instanceof KeyStorageException refused) {
          throw refused;
        }
        throw new KeyStorageException("cannot write keystore " + file, e);
      }
      nextSequence += added.size();
      cache.putAll(added);
      index = Map.copyOf(updated);
    }
  }

  private void setEntry(String alias, String identity, KeyPair keyPair)
      throws GeneralSecurityException {
    X509Certificate certificate = SelfSignedCertificates.create(keyPair, identity, provider);
    keyStore.setEntry(
        alias,
        new KeyStore.PrivateKeyEntry(keyPair.getPrivate(), new Certificate[] {certificate}),
        new KeyStore.PasswordProtection(password));
  }

  /** Takes back an entry that was never written to the file. */
  private void deleteEntry(String alias) {
    try {
      keyStore.deleteEntry(alias);
    } catch (GeneralSecurityException e) {
      log.error("keystore {}: cannot take back unwritten entry {}", file, alias, e);
    }
  }

  /** Returns the newest private key of {@code identity}, with {@code kid} = its thumbprint. */
  public Optional<JWK> get(String identity) throws KeyStorageException {
    List<Entry> entries = index.get(identity);
    return entries == null ? Optional.empty() : Optional.of(load(entries.get(0).alias()));
  }

  /** Returns every private key of {@code identity}, newest first; empty if none. */
  public List<JWK> all(String identity) throws KeyStorageException {
    List<JWK> keys = new ArrayList<>();
    for (Entry entry : index.getOrDefault(identity, List.of())) {
      keys.add(load(entry.alias()));
    }
    return Collections.unmodifiableList(keys);
  }

  /** Returns the identities that hold at least one key. */
  public Set<String> aliases() {
    return index.keySet();
  }

  private JWK load(String alias) throws KeyStorageException {
    JWK cached = cache.get(alias);
    if (cached != null) {
      return cached;
    }
    synchronized (this) {
      try {
        PrivateKey privateKey = (PrivateKey) keyStore.getKey(alias, password);
        JWK jwk = KeyConversions.toJwk(keyStore.getCertificate(alias).getPublicKey(), privateKey);
        cache.put(alias, jwk);
        return jwk;
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new KeyStorageException(WRONG_PASSWORD + file, e);
      }
    }
  }

  private Map<String, List<Entry>> readIndex() throws GeneralSecurityException {
    Map<String, List<Entry>> byIdentity = new HashMap<>();
    for (String alias : Collections.list(keyStore.aliases())) {
      Matcher matcher = ENTRY_ALIAS.matcher(alias);
      if (!matcher.matches() || !keyStore.isKeyEntry(alias)) {
        log.warn("keystore {}: ignoring entry {} not written by this class", file, alias);
        continue;
      }
      nextSequence = Math.max(nextSequence, Long.parseLong(matcher.group(1)) + 1);
      X509Certificate certificate = (X509Certificate) keyStore.getCertificate(alias);
      String identity = SelfSignedCertificates.commonName(certificate);
      String thumbprint =
          KeyPolicy.thumbprint(KeyConversions.toJwk(certificate.getPublicKey(), null));
      byIdentity
          .computeIfAbsent(identity, k -> new ArrayList<>())
          .add(new Entry(alias, thumbprint));
    }
    Map<String, List<Entry>> sorted = new HashMap<>();
    byIdentity.forEach(
        (identity, entries) -> {
          entries.sort((a, b) -> b.alias().compareTo(a.alias()));
          sorted.put(identity, List.copyOf(entries));
        });
    return Map.copyOf(sorted);
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
