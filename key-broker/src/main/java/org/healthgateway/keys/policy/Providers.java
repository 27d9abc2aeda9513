package org.healthgateway.keys.policy;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle provider, passed explicitly where it is needed and never registered globally
 * (so this module does not change which provider other code in the JVM gets).
 *
 * <p>Used for: the BCFKS keystore, its X.509 certificates, and ECDSA verification. SunEC (JDK
 * 17.0.15) rejects valid P-256 signatures whose {@code r} came from an x-coordinate at or above the
 * group order (Wycheproof ecdsa_secp256r1_sha256_p1363 tcId 115 and 257); Bouncy Castle accepts
 * them. Everything else uses the JDK's providers, which pass the Wycheproof vectors.
 */
public final class Providers {

  /** One shared instance: building the provider is slow and it is stateless once built. */
  public static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private Providers() {}
}
