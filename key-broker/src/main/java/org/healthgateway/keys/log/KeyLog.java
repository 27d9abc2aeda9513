package org.healthgateway.keys.log;

import java.util.List;

/**
 * Where the broker records its key facts, durably and in order, and reads them back: the ledger,
 * behind an adapter of the server (the broker does not know the ledger's format). A fact is durable
 * when {@code append} returns, so nothing is ever wrapped for a key or under a grant that the log
 * does not hold. Implementations sign what they append with the node's key.
 */
public interface KeyLog {
  /**
   * Records identity facts, all or none.
   *
   * @return the position of each fact, in order
   */
  List<Long> appendIdentities(List<IdentityFact> facts) throws KeyLogException;

  /**
   * Records grant facts, all or none.
   *
   * @return the position of each fact, in order
   */
  List<Long> appendGrants(List<GrantFact> facts) throws KeyLogException;

  /** The grant fact recorded at a position that {@link #appendGrants} returned or a scan found. */
  GrantFact grant(long position) throws KeyLogException;
}
