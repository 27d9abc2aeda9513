package org.healthgateway.keys.log;

import java.util.List;
import java.util.Objects;

/**
 * A grant key issued, wrapped again, or extended with released data keys (a KEY_RELEASE on the
 * ledger).
 *
 * <p>{@code keys} holds, in this order: the grant key's JWE for the recipient ({@code keyId} =
 * grant id), optionally its JWE for the issuing node ({@code keyId} = grant id + {@code #node}),
 * then any data keys released under the grant after the fact ({@code keyId} = {@code L} + ledger
 * position of the version, algorithm {@code A256KW}). A fact whose first key id names a grant
 * issued earlier for the same pair is a re-wrap: the same grant key for the recipient's newer
 * encryption key.
 *
 * @param recipient who the grant is for, {@code Type/id}
 * @param pseudonym the patient's ledger pseudonym
 * @param keys the wrapped keys, never empty
 * @param statement the patient's signed release statement it cites, as JSON {@code
 *     {"statement":base64,"signature":jws}}, or empty when the node issued the grant for a write
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; never compared or hashed
public record GrantFact(
    String recipient, String pseudonym, List<WrappedKey> keys, byte[] statement) {
  public GrantFact {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(pseudonym, "pseudonym");
    keys = List.copyOf(keys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a grant fact carries at least the grant key");
    }
    statement = statement.clone();
  }

  /** The grant id this fact is about: the key id of its first key. */
  public String grantId() {
    return keys.get(0).keyId();
  }

  @Override
  public byte[] statement() {
    return statement.clone();
  }
}
