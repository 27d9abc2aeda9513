package org.healthgateway.ledger.ethereum;

/**
 * A node admitted to the chain's membership, as every node rebuilds it from the chain.
 *
 * @param identity the member's identity, the author of its records, e.g. {@code Device/hospital-a}
 * @param keyThumbprint RFC 7638 thumbprint of the key bound to it (the {@code kid} of its records)
 * @param admittedBy the member whose MEMBER transaction admitted it, or {@link #REGISTRY} for a
 *     founding member (its first record was signed by a registry key)
 * @param ledgerIndex index of the MEMBER entry, or of the first entry of the founding record
 */
public record Member(String identity, String keyThumbprint, String admittedBy, long ledgerIndex) {

  /** {@link #admittedBy} of a founding member; not a FHIR reference, so no identity equals it. */
  public static final String REGISTRY = "(registry key)";
}
