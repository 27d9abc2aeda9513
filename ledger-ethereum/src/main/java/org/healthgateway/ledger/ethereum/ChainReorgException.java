package org.healthgateway.ledger.ethereum;

import org.healthgateway.ledger.LedgerException;

/**
 * The chain replaced a block the node had already applied: a reorg deeper than the confirmation
 * depth. The node stops following and refuses appends; an operator decides (a deeper depth, or a
 * rebuild from the chain after checking why the network reorganized).
 */
public final class ChainReorgException extends LedgerException {
  public ChainReorgException(String message) {
    super(message);
  }
}
