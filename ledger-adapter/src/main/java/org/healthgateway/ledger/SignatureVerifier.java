package org.healthgateway.ledger;

/** Checks detached JWS signatures by one public key; see {@link DetachedJws#verifier}. */
@FunctionalInterface
public interface SignatureVerifier {
  /** True if {@code jws} is a valid detached signature of {@code input}; never throws. */
  boolean verify(byte[] input, String jws);
}
