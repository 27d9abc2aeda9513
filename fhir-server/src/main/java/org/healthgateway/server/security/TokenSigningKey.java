package org.healthgateway.server.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.KeyStorageException;

/**
 * The authorization server's token-signing key, kept in the node keystore so tokens survive
 * restarts.
 */
public final class TokenSigningKey {
  private static final String ALIAS = "Device/token-signing";
  private final RSAKey key;

  public TokenSigningKey(EncryptedKeyStore keyStore) {
    try {
      JWK existing = keyStore.get(ALIAS).orElse(null);
      if (existing == null) {
        existing = KeyPairs.generateRsa();
        keyStore.put(ALIAS, existing);
      }
      this.key = existing.toRSAKey();
    } catch (KeyStorageException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load or create the token-signing key", e);
    }
  }

  public RSAKey get() {
    return key;
  }
}
