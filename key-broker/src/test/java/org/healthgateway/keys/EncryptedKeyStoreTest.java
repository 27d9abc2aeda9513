package org.healthgateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.policy.Providers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedKeyStoreTest {

  private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  private static RSAKey rsa;

  @TempDir Path dir;

  @BeforeAll
  static void generateKeys() throws Exception {
    rsa = KeyPairs.generateRsa();
  }

  @Test
  void openOrCreate_noFile_createsBcfksFile() throws Exception {
    Path file = dir.resolve("sub/keys.bcfks");

    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    assertThat(store.aliases()).isEmpty();
    assertThat(file).exists();
    KeyStore raw = KeyStore.getInstance("BCFKS", Providers.BOUNCY_CASTLE);
    raw.load(Files.newInputStream(file), PASSWORD);
    assertThat(Collections.list(raw.aliases())).containsExactly("vault-key");
    assertThat(raw.isKeyEntry("vault-key")).isTrue();
    assertThat(raw.getKey("vault-key", PASSWORD).getAlgorithm()).isEqualTo("AES");
    Path vault = dir.resolve("sub/keys.bcfks.vault");
    assertThat(Files.size(vault)).isEqualTo(KeyVault.HEADER_BYTES);
    assertThat(dir.resolve("sub")).isDirectoryNotContaining("glob:**.tmp");
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(vault)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void get_afterPutAndReopen_returnsSamePrivateKeys() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    ECKey ec = KeyPairs.generateEc();
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    store.put("Practitioner/abc", rsa);
    store.put("Patient/Ünïcode-#1", ec);
    EncryptedKeyStore reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    assertThat(reopened.aliases())
        .containsExactlyInAnyOrder("Practitioner/abc", "Patient/Ünïcode-#1");
    for (EncryptedKeyStore s : List.of(store, reopened)) {
      JWK gotRsa = s.get("Practitioner/abc").orElseThrow();
      JWK gotEc = s.get("Patient/Ünïcode-#1").orElseThrow();
      assertThat(gotRsa.isPrivate()).isTrue();
      assertThat(gotRsa.getKeyID()).isEqualTo(KeyPairs.thumbprint(rsa));
      assertThat(gotRsa.toRSAKey().toRSAPrivateKey()).isEqualTo(rsa.toRSAPrivateKey());
      assertThat(gotEc.getKeyID()).isEqualTo(KeyPairs.thumbprint(ec));
      assertThat(gotEc.toECKey().getD()).isEqualTo(ec.getD());
    }
    assertThat(reopened.get("Practitioner/ABC")).isEmpty();
  }

  @Test
  void get_reopenedKey_unwrapsWhatWasWrappedForIt() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore.openOrCreate(file, PASSWORD).put("Practitioner/abc", rsa);
    JweKeyWrapper wrapper = JweKeyWrapper.create();
    var grantKey = DataKeys.newDataKey();
    String jwe = wrapper.wrap(rsa.toPublicJWK(), grantKey);

    JWK reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD).get("Practitioner/abc").get();

    assertThat(wrapper.unwrap(reopened, jwe).getEncoded()).isEqualTo(grantKey.getEncoded());
  }

  @Test
  void all_afterRotation_returnsNewestFirst() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    ECKey first = KeyPairs.generateEc();
    ECKey second = KeyPairs.generateEc();
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    store.put("Practitioner/abc", first);
    store.put("Practitioner/abc", second);
    store.put("Practitioner/abc", first);
    EncryptedKeyStore reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    for (EncryptedKeyStore s : List.of(store, reopened)) {
      assertThat(s.all("Practitioner/abc"))
          .extracting(JWK::getKeyID)
          .containsExactly(second.getKeyID(), first.getKeyID());
      assertThat(s.get("Practitioner/abc").orElseThrow().getKeyID()).isEqualTo(second.getKeyID());
    }
    assertThat(store.all("Practitioner/none")).isEmpty();
  }

  @Test
  void openOrCreate_wrongPassword_saysSo() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore.openOrCreate(file, PASSWORD).put("Practitioner/abc", KeyPairs.generateEc());

    assertThatThrownBy(() -> EncryptedKeyStore.openOrCreate(file, "wrong".toCharArray()))
        .isInstanceOf(KeyStorageException.class)
        .hasMessageStartingWith("keystore password is wrong or the keystore is damaged");
  }

  @Test
  void openOrCreate_damagedFile_saysSo() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore.openOrCreate(file, PASSWORD).put("Practitioner/abc", KeyPairs.generateEc());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);

    assertThatThrownBy(() -> EncryptedKeyStore.openOrCreate(file, PASSWORD))
        .isInstanceOf(KeyStorageException.class)
        .hasMessageStartingWith("keystore password is wrong or the keystore is damaged");
  }

  @Test
  void put_unsupportedOrPublicKeyOrBadIdentity_isRefused() throws Exception {
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(dir.resolve("k.bcfks"), PASSWORD);
    RSAKey rsa2048 = new RSAKeyGenerator(2048).generate();

    assertThatThrownBy(() -> store.put("Practitioner/abc", rsa2048))
        .isInstanceOf(KeyStorageException.class);
    assertThatThrownBy(() -> store.put("Practitioner/abc", rsa.toPublicJWK()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put(" ", rsa)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put("a\nb", rsa)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put("x".repeat(129), rsa))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.aliases()).isEmpty();
  }

  @Test
  void putAll_twoIdentities_bothSurviveReopen() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    ECKey signing = KeyPairs.generateEc();
    Map<String, JWK> keys = new LinkedHashMap<>();
    keys.put("Practitioner/abc", rsa);
    keys.put("Practitioner/abc#sig", signing);

    EncryptedKeyStore.openOrCreate(file, PASSWORD).putAll(keys);
    EncryptedKeyStore reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    assertThat(reopened.get("Practitioner/abc").orElseThrow().toRSAKey().toPrivateKey())
        .isEqualTo(rsa.toPrivateKey());
    assertThat(reopened.get("Practitioner/abc#sig").orElseThrow().toECKey().getD())
        .isEqualTo(signing.getD());
  }

  @Test
  void putAll_oneUnsupportedKey_addsNone() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    Map<String, JWK> keys = new LinkedHashMap<>();
    keys.put("Practitioner/abc", rsa);
    keys.put("Practitioner/abc#sig", new RSAKeyGenerator(2048).generate());

    assertThatThrownBy(() -> store.putAll(keys)).isInstanceOf(KeyStorageException.class);

    assertThat(store.aliases()).isEmpty();
    assertThat(EncryptedKeyStore.openOrCreate(file, PASSWORD).aliases()).isEmpty();
    store.put("Practitioner/abc", rsa);
    assertThat(EncryptedKeyStore.openOrCreate(file, PASSWORD).get("Practitioner/abc")).isPresent();
  }

  @Test
  void put_concurrently_keepsEveryKey() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        String identity = "Practitioner/p" + i;
        futures.add(
            pool.submit(
                () -> {
                  store.put(identity, KeyPairs.generateEc());
                  return store.get(identity).orElseThrow();
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(EncryptedKeyStore.openOrCreate(file, PASSWORD).aliases()).hasSize(4);
  }

  @Test
  void put_writesTheVaultOnly_sealedWithoutPlaintext() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    byte[] keystoreBefore = Files.readAllBytes(file);
    ECKey key = KeyPairs.generateEc();

    store.put("Patient/alice-in-the-vault", key);

    assertThat(Files.readAllBytes(file)).isEqualTo(keystoreBefore);
    String vault = new String(Files.readAllBytes(dir.resolve("keys.bcfks.vault")), "ISO-8859-1");
    assertThat(vault).startsWith("HGKV");
    assertThat(vault)
        .doesNotContain("alice-in-the-vault")
        .doesNotContain(key.getD().toString())
        .doesNotContain(key.getX().toString());
  }

  @Test
  void openOrCreate_firstFormatKeystore_readsItsKeysAsOlderThanVaultKeys() throws Exception {
    Path file = dir.resolve("old.bcfks");
    ECKey old = KeyPairs.generateEc();
    writeFirstFormat(file, "Practitioner/abc", old);

    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    assertThat(store.get("Practitioner/abc").orElseThrow().toECKey().getD()).isEqualTo(old.getD());
    ECKey rotated = KeyPairs.generateEc();
    store.put("Practitioner/abc", rotated);
    EncryptedKeyStore reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    assertThat(reopened.all("Practitioner/abc"))
        .extracting(jwk -> jwk.toECKey().getD())
        .containsExactly(rotated.getD(), old.getD());
  }

  @Test
  void openOrCreate_unfinishedLastWrite_isCutOffAndKeptAside() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    ECKey key = KeyPairs.generateEc();
    EncryptedKeyStore.openOrCreate(file, PASSWORD).put("Patient/a", key);
    Path vault = dir.resolve("keys.bcfks.vault");
    long acknowledged = Files.size(vault);
    byte[] torn = {0, 0, 1, 0, 42, 42, 42};
    Files.write(vault, torn, java.nio.file.StandardOpenOption.APPEND);

    EncryptedKeyStore reopened = EncryptedKeyStore.openOrCreate(file, PASSWORD);

    assertThat(reopened.get("Patient/a").orElseThrow().toECKey().getD()).isEqualTo(key.getD());
    assertThat(Files.size(vault)).isEqualTo(acknowledged);
    assertThat(dir).isDirectoryContaining("glob:**/keys.bcfks.vault.cut-*");
    reopened.put("Patient/b", KeyPairs.generateEc());
    assertThat(EncryptedKeyStore.openOrCreate(file, PASSWORD).aliases())
        .containsExactlyInAnyOrder("Patient/a", "Patient/b");
  }

  @Test
  void openOrCreate_damagedOrReorderedVaultRecord_saysSo() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore store = EncryptedKeyStore.openOrCreate(file, PASSWORD);
    store.put("Patient/a", KeyPairs.generateEc());
    store.put("Patient/b", KeyPairs.generateEc());
    Path vault = dir.resolve("keys.bcfks.vault");
    byte[] bytes = Files.readAllBytes(vault);

    byte[] flipped = bytes.clone();
    flipped[KeyVault.HEADER_BYTES + 20] ^= 0x01;
    Files.write(vault, flipped);
    assertThatThrownBy(() -> EncryptedKeyStore.openOrCreate(file, PASSWORD))
        .isInstanceOf(KeyStorageException.class)
        .hasMessageContaining("is damaged");

    int half = (bytes.length - KeyVault.HEADER_BYTES) / 2;
    byte[] swapped = Arrays.copyOf(bytes, bytes.length);
    System.arraycopy(bytes, KeyVault.HEADER_BYTES + half, swapped, KeyVault.HEADER_BYTES, half);
    System.arraycopy(bytes, KeyVault.HEADER_BYTES, swapped, KeyVault.HEADER_BYTES + half, half);
    Files.write(vault, swapped);
    assertThatThrownBy(() -> EncryptedKeyStore.openOrCreate(file, PASSWORD))
        .isInstanceOf(KeyStorageException.class)
        .hasMessageContaining("is damaged");
  }

  @Test
  void openOrCreate_vaultWithoutItsKey_isRefused() throws Exception {
    Path file = dir.resolve("keys.bcfks");
    EncryptedKeyStore.openOrCreate(file, PASSWORD).put("Patient/a", KeyPairs.generateEc());
    Files.delete(file);

    assertThatThrownBy(() -> EncryptedKeyStore.openOrCreate(file, PASSWORD))
        .isInstanceOf(KeyStorageException.class)
        .hasMessageContaining("has no vault key");
  }

  /** A keystore as the first format wrote it: one PrivateKeyEntry per key, identity in the CN. */
  private static void writeFirstFormat(Path file, String identity, JWK key) throws Exception {
    KeyStore raw = KeyStore.getInstance("BCFKS", Providers.BOUNCY_CASTLE);
    raw.load(null, PASSWORD);
    KeyPair pair = KeyConversions.toKeyPair(key);
    raw.setEntry(
        "key-0000000000",
        new KeyStore.PrivateKeyEntry(
            pair.getPrivate(),
            new Certificate[] {
              SelfSignedCertificates.create(pair, identity, Providers.BOUNCY_CASTLE)
            }),
        new KeyStore.PasswordProtection(PASSWORD));
    try (var out = Files.newOutputStream(file)) {
      raw.store(out, PASSWORD);
    }
  }
}
