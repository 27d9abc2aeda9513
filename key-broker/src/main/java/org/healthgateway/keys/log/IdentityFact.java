package org.healthgateway.keys.log;

import com.nimbusds.jose.jwk.JWK;
import java.util.Objects;

/**
 * A public key registered for an identity: its encryption key (grant keys are wrapped for it) or,
 * when the JWK's {@code use} is {@code sig}, its signing key. A later fact of the same kind
 * replaces the earlier one (a rotation or a recovery).
 *
 * @param subject {@code Type/id} of the identity ({@code Patient/x}, {@code Practitioner/y}, {@code
 *     Device/node})
 * @param pseudonym the patient's ledger pseudonym, or empty for anyone else
 * @param publicKey the public JWK, with its {@code use}
 */
public record IdentityFact(String subject, String pseudonym, JWK publicKey) {
  public IdentityFact {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(pseudonym, "pseudonym");
    if (publicKey.isPrivate()) {
      throw new IllegalArgumentException("an identity fact carries a public key only");
    }
  }
}
