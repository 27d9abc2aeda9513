package org.healthgateway.ledger.ethereum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.ethereum.RecordVerifier.Reason;
import org.healthgateway.ledger.ethereum.RecordVerifier.Staged;
import org.healthgateway.ledger.ethereum.RecordVerifier.Verdict;

/**
 * What one record registers, checked against the {@link Membership} and the record's earlier
 * transactions, and learnt only if the whole record is accepted. The rules (module README,
 * "Membership"):
 *
 * <ul>
 *   <li>a record signed by a registry key makes its author a founding member, unless the key is
 *       already bound to another member or the author was registered by another member;
 *   <li>MEMBER (subject = a node identity, payload = its public JWK) only by a member, for a new
 *       subject or one the same member admitted (a key rotation); the key must not be another
 *       member's; the same key again changes nothing;
 *   <li>IDENTITY only by a member, never for a member (a member restating its own key is a no-op),
 *       and only by the member who registered the subject first (the hijack rule).
 * </ul>
 */
final class Registration {

  /** A key bound to an identity. */
  record KeyRef(String identity, String thumbprint) {}

  final Map<String, String> registrars = new HashMap<>();
  final Map<String, String> memberKeys = new LinkedHashMap<>();
  final Map<KeyRef, SignatureVerifier> keys = new LinkedHashMap<>();
  final List<Member> admitted = new ArrayList<>();
  private final Membership membership;
  private final String author;
  private final long firstIndex;

  Registration(Membership membership, String author, long firstIndex) {
    this.membership = membership;
    this.author = author;
    this.firstIndex = firstIndex;
  }

  /** The record verified with the registry key {@code kid}: its author is a founding member. */
  Verdict found(String kid, SignatureVerifier verifier) {
    String bound = memberOf(kid);
    if (bound != null && !bound.equals(author)) {
      return RecordVerifier.refuse(
          Reason.UNKNOWN_KEY, "registry key of " + bound + " signed a record by " + author);
    }
    String registrar = registrar(author);
    if (registrar != null && !registrar.equals(author)) {
      return RecordVerifier.refuse(
          Reason.MEMBER, "registry key for " + author + ", registered by " + registrar);
    }
    bind(author, kid, verifier, Member.REGISTRY, firstIndex);
    return null;
  }

  /** IDENTITY entry {@code j}: binds {@code key} to {@code subject}, or the refusal. */
  Verdict identity(String subject, Staged key, int j) {
    if (key.refusal() != null) {
      return key.refusal();
    }
    if (subject.equals(author) && author.equals(memberOf(key.thumbprint()))) {
      return null;
    }
    String problem = null;
    String registrar = registrar(subject);
    if (!isMember(author)) {
      problem = "IDENTITY by " + author + ", not a member";
    } else if (isMember(subject)) {
      problem = "IDENTITY for the member " + subject + " (members' keys come from MEMBER)";
    } else if (registrar != null && !registrar.equals(author)) {
      problem = "IDENTITY for " + subject + " by " + author + ", registered by " + registrar;
    }
    if (problem != null) {
      return RecordVerifier.refuse(Reason.IDENTITY, problem + ", entry " + j);
    }
    registrars.putIfAbsent(subject, author);
    keys.put(new KeyRef(subject, key.thumbprint()), key.verifier());
    return null;
  }

  /** MEMBER entry {@code j}: admits {@code subject} with {@code key}, or the refusal. */
  Verdict member(String subject, Staged key, int j) {
    if (key.refusal() != null) {
      return key.refusal();
    }
    String bound = memberOf(key.thumbprint());
    if (subject.equals(bound) && isMember(author)) {
      return null;
    }
    String problem = null;
    String registrar = registrar(subject);
    if (!isMember(author)) {
      problem = "MEMBER by " + author + ", not a member";
    } else if (bound != null) {
      problem = "MEMBER for " + subject + " with the key of the member " + bound;
    } else if (registrar != null && (!registrar.equals(author) || !isMember(subject))) {
      problem = "MEMBER for " + subject + " by " + author + ", registered by " + registrar;
    }
    if (problem != null) {
      return RecordVerifier.refuse(Reason.MEMBER, problem + ", entry " + j);
    }
    bind(subject, key.thumbprint(), key.verifier(), author, firstIndex + j);
    return null;
  }

  private void bind(
      String identity, String thumbprint, SignatureVerifier verifier, String by, long index) {
    if (registrar(identity) == null) {
      registrars.put(identity, Member.REGISTRY.equals(by) ? identity : by);
    }
    memberKeys.put(thumbprint, identity);
    keys.put(new KeyRef(identity, thumbprint), verifier);
    admitted.add(new Member(identity, thumbprint, by, index));
  }

  private String registrar(String subject) {
    String staged = registrars.get(subject);
    return staged != null ? staged : membership.registrar(subject);
  }

  private String memberOf(String thumbprint) {
    String staged = memberKeys.get(thumbprint);
    return staged != null ? staged : membership.memberOf(thumbprint);
  }

  private boolean isMember(String identity) {
    return memberKeys.containsValue(identity) || membership.isMember(identity);
  }
}
