package org.healthgateway.ledger;

import java.util.Arrays;
import java.util.Objects;

/**
 * A key wrapped for someone: the id of the key that wraps it (a grant-key id, or an RFC 7638 JWK
 * thumbprint), the JOSE algorithm name of the wrapping ({@code A256KW}, {@code RSA-OAEP-256},
 * {@code ECDH-ES+A256KW}) and the wrapped bytes (for JWE algorithms: the compact serialization in
 * UTF-8).
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors use the bytes
public record WrappedKey(String keyId, String algorithm, byte[] wrapped) {
  public WrappedKey {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(algorithm, "algorithm");
    wrapped = wrapped.clone();
  }

  @Override
  public byte[] wrapped() {
    return wrapped.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey w
        && keyId.equals(w.keyId)
        && algorithm.equals(w.algorithm)
        && Arrays.equals(wrapped, w.wrapped);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyId, algorithm, Arrays.hashCode(wrapped));
  }
}
