package org.healthgateway.ledger.ethereum;

import com.nimbusds.jose.jwk.JWK;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;

/**
 * Who may register keys on the chain, as rebuilt from the verified records: the registry keys
 * (founding members, configured), the members with their keys, and for every subject of an IDENTITY
 * or MEMBER transaction the member who registered it first (its registrar). Only the follower's
 * thread changes it ({@link #commit}); the member queries are safe from any thread.
 */
final class Membership {

  private final Map<String, JWK> registry = new HashMap<>();
  private final Map<String, String> memberKeys = new ConcurrentHashMap<>();
  private final Set<String> memberIdentities = ConcurrentHashMap.newKeySet();
  private final Map<String, String> registrars = new HashMap<>();
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final Object changed = new Object();

  Membership(List<JWK> registryKeys) throws LedgerException {
    for (JWK key : registryKeys) {
      JWK pub = key.toPublicJWK();
      registry.put(DetachedJws.thumbprint(pub), pub);
    }
  }

  /** The registry key with this thumbprint, or null. */
  JWK registryKey(String thumbprint) {
    return registry.get(thumbprint);
  }

  /** True if the key is a registry key or bound to a member. */
  boolean isMemberKey(String thumbprint) {
    return registry.containsKey(thumbprint) || memberKeys.containsKey(thumbprint);
  }

  /** The member the key is bound to, or null. */
  String memberOf(String thumbprint) {
    return memberKeys.get(thumbprint);
  }

  boolean isMember(String identity) {
    return memberIdentities.contains(identity);
  }

  /** The member who registered {@code subject} first, or null. */
  String registrar(String subject) {
    return registrars.get(subject);
  }

  List<Member> members() {
    return List.copyOf(members);
  }

  /** Applies what one verified record changed and wakes {@link #awaitMemberKey} callers. */
  void commit(
      Map<String, String> newRegistrars, Map<String, String> newMemberKeys, List<Member> admitted) {
    registrars.putAll(newRegistrars);
    memberKeys.putAll(newMemberKeys);
    memberIdentities.addAll(newMemberKeys.values());
    members.addAll(admitted);
    if (!newMemberKeys.isEmpty()) {
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  /** Waits at most {@code millis} for the key to become a member key; true if it is. */
  boolean awaitMemberKey(String thumbprint, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (changed) {
      while (!isMemberKey(thumbprint)) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        changed.wait(left);
      }
      return true;
    }
  }
}
