package org.healthgateway.keys.log;

import java.util.ArrayList;
import java.util.List;

/** An in-memory {@link KeyLog} for unit tests: positions are list indexes; can fail on demand. */
public final class MemoryKeyLog implements KeyLog {
  private final List<Object> facts = new ArrayList<>();
  private boolean failing;

  /** Makes every later append fail, recording nothing, as a full disk would. */
  public void failAppends() {
    failing = true;
  }

  @Override
  public synchronized List<Long> appendIdentities(List<IdentityFact> identities)
      throws KeyLogException {
    return append(identities);
  }

  @Override
  public synchronized List<Long> appendGrants(List<GrantFact> grants) throws KeyLogException {
    return append(grants);
  }

  private List<Long> append(List<?> more) throws KeyLogException {
    if (failing) {
      throw new KeyLogException("append refused", new java.io.IOException("disk full"));
    }
    List<Long> positions = new ArrayList<>();
    for (Object fact : more) {
      positions.add((long) facts.size());
      facts.add(fact);
    }
    return positions;
  }

  @Override
  public synchronized GrantFact grant(long position) {
    return (GrantFact) facts.get((int) position);
  }

  /** Every fact in order, as a scan of the log would find them. */
  public synchronized List<Object> facts() {
    return List.copyOf(facts);
  }
}
