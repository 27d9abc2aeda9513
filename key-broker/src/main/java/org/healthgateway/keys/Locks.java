package org.healthgateway.keys;

/**
 * A fixed set of lock objects, one chosen by a name's hash: work on one identity or one grant pair
 * waits only for work that hashes to the same stripe, and memory stays constant however many names
 * there are.
 */
public final class Locks {
  private static final int STRIPES = 64;

  private final Object[] stripes = new Object[STRIPES];

  public Locks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /** The lock for a name; the same name always gets the same lock. */
  public Object of(String name) {
    return stripes[Math.floorMod(name.hashCode(), STRIPES)];
  }
}
