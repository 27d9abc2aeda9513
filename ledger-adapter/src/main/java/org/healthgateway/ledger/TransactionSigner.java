package org.healthgateway.ledger;

/** Signs canonical bytes with one key; returns a detached JWS compact serialization. */
@FunctionalInterface
public interface TransactionSigner {
  String sign(byte[] signingInput) throws LedgerException;
}
