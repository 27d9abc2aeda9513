package org.healthgateway.keys.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KeyLog} in memory for tests: a list of facts, each at its list index. It counts appends
 * and can refuse one on demand, recording nothing of it, as a failed ledger append does.
 * Thread-safe.
 */
public final class MemoryKeyLog implements KeyLog {
  private final List<Object> facts = new ArrayList<>();
  private int appends;
  private int failAfter = -1;
  private boolean failForever;

  @Override
  public synchronized List<Long> appendIdentities(List<IdentityFact> batch) throws KeyLogException {
    return append(batch);
  }

  @Override
  public synchronized List<Long> appendGrants(List<GrantFact> batch) throws KeyLogException {
    return append(batch);
  }

  @Override
  public synchronized GrantFact grant(long position) throws KeyLogException {
    if (position >= 0
        && position < facts.size()
        && facts.get((int) position) instanceof GrantFact g) {
      return g;
    }
    throw new KeyLogException("no grant fact at " + position, null);
  }

  /** Makes the append after {@code successes} more successful ones fail, once. */
  public synchronized void failAppendAfter(int successes) {
    failAfter = successes;
    failForever = false;
  }

  /** Makes every later append fail, as a full disk would. */
  public synchronized void failAppends() {
    failAfter = 0;
    failForever = true;
  }

  /** Makes the next append fail, once. */
  public synchronized void failNextAppend() {
    failAppendAfter(0);
  }

  /** How many appends succeeded. */
  public synchronized int appends() {
    return appends;
  }

  /** Every fact, at its position: {@link IdentityFact}s and {@link GrantFact}s. */
  public synchronized List<Object> facts() {
    return List.copyOf(facts);
  }

  public synchronized List<IdentityFact> identityFacts() {
    return facts.stream()
        .filter(IdentityFact.class::isInstance)
        .map(IdentityFact.class::cast)
        .toList();
  }

  public synchronized List<GrantFact> grantFacts() {
    return facts.stream().filter(GrantFact.class::isInstance).map(GrantFact.class::cast).toList();
  }

  private List<Long> append(List<?> batch) throws KeyLogException {
    if (failAfter == 0) {
      failAfter = failForever ? 0 : -1;
      throw new KeyLogException("cannot record key facts", new IOException("injected failure"));
    }
    if (failAfter > 0) {
      failAfter--;
    }
    List<Long> positions = new ArrayList<>(batch.size());
    for (Object fact : batch) {
      positions.add((long) facts.size());
      facts.add(fact);
    }
    appends++;
    return positions;
  }
}
