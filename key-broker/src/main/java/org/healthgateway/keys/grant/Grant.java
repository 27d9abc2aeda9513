package org.healthgateway.keys.grant;

/**
 * A grant key's public facts; the key itself is only in its JWEs and in the ring's cache.
 *
 * @param id {@code g-} + 16 random bytes in base64url
 * @param pseudonym the patient's ledger pseudonym
 * @param recipient who the grant key is wrapped for, {@code Type/id}
 * @param position where the fact that issued it sits in the key log
 */
public record Grant(String id, String pseudonym, String recipient, long position) {}
