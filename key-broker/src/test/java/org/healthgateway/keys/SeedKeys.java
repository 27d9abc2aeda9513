package org.healthgateway.keys;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * Fixed keys of the fuzz seeds ({@code seed-keys.jwks.json}): an EC P-256 and an RSA-3072 key pair.
 * The committed seed signatures and JWEs verify and unwrap only with these. Test keys, published on
 * purpose; nothing else uses them.
 */
public final class SeedKeys {
  public static final ECKey EC;
  public static final RSAKey RSA;

  static {
    try (InputStream in = SeedKeys.class.getResourceAsStream("seed-keys.jwks.json")) {
      JWKSet keys = JWKSet.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      EC = keys.getKeys().get(0).toECKey();
      RSA = keys.getKeys().get(1).toRSAKey();
    } catch (IOException | ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private SeedKeys() {}
}
