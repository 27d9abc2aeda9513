package org.healthgateway.keys.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * One key wrapped for a reader, as the log stores it.
 *
 * @param keyId the grant id a data key is wrapped under, or the grant id (plus {@code #node} for
 *     the node's copy) a grant key's JWE is for, or {@code L} + ledger position of a data key
 *     released after the fact
 * @param algorithm {@code A256KW} for data keys; {@code RSA-OAEP-256} or {@code ECDH-ES+A256KW} for
 *     a grant key's JWE
 * @param wrapped the wrapped bytes (a JWE's compact serialization in ASCII for grant keys)
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode below compare the bytes
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
    return o instanceof WrappedKey other
        && keyId.equals(other.keyId)
        && algorithm.equals(other.algorithm)
        && Arrays.equals(wrapped, other.wrapped);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyId, algorithm, Arrays.hashCode(wrapped));
  }

  @Override
  public String toString() {
    return "WrappedKey[" + keyId + ", " + algorithm + ", " + wrapped.length + " bytes]";
  }
}
