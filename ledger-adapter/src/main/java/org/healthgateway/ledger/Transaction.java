package org.healthgateway.ledger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One ledger transaction. Everything but {@link #signature} is covered by the author's signature;
 * {@link TransactionCodec} defines the canonical bytes.
 *
 * @param type what the transaction records
 * @param subject what it is about, e.g. {@code AllergyIntolerance/7/_history/2} or an identity
 *     reference such as {@code Practitioner/a}; opaque to the ledger
 * @param patient the patient's ledger pseudonym, or the empty string
 * @param categories data-category codes, in clear so that consent can be evaluated without content
 * @param author the identity reference of the signer, e.g. {@code Practitioner/a}
 * @param timestamp when the author made it (millisecond precision in the encoding)
 * @param contentHash SHA-256 of the plaintext content, or empty (deletions)
 * @param payload ciphertext, or public content for directory resources, identities and key
 *     releases; empty for deletions
 * @param wrappedKeys keys wrapped for readers of the payload
 * @param signature empty in a {@link SignedRecord}, whose one signature covers all its
 *     transactions; in records of the first format, a detached JWS compact serialization (RFC 7515
 *     appendix F) by the author's key over {@link TransactionCodec#signingInput}
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors use the bytes
public record Transaction(
    TransactionType type,
    String subject,
    String patient,
    List<String> categories,
    String author,
    Instant timestamp,
    byte[] contentHash,
    byte[] payload,
    List<WrappedKey> wrappedKeys,
    String signature) {

  public Transaction {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(patient, "patient");
    categories = List.copyOf(categories);
    Objects.requireNonNull(author, "author");
    // The canonical encoding keeps milliseconds; truncating here makes decode(encode(t)) equal t.
    timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MILLIS);
    contentHash = contentHash.clone();
    payload = payload.clone();
    wrappedKeys = List.copyOf(wrappedKeys);
    Objects.requireNonNull(signature, "signature");
  }

  /** Returns a copy of this transaction carrying the given signature. */
  public Transaction withSignature(String jws) {
    return new Transaction(
        type,
        subject,
        patient,
        categories,
        author,
        timestamp,
        contentHash,
        payload,
        wrappedKeys,
        jws);
  }

  @Override
  public byte[] contentHash() {
    return contentHash.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** Compares all components; the byte arrays by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Transaction t
        && type == t.type
        && subject.equals(t.subject)
        && patient.equals(t.patient)
        && categories.equals(t.categories)
        && author.equals(t.author)
        && timestamp.equals(t.timestamp)
        && Arrays.equals(contentHash, t.contentHash)
        && Arrays.equals(payload, t.payload)
        && wrappedKeys.equals(t.wrappedKeys)
        && signature.equals(t.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        type,
        subject,
        patient,
        categories,
        author,
        timestamp,
        Arrays.hashCode(contentHash),
        Arrays.hashCode(payload),
        wrappedKeys,
        signature);
  }

  @Override
  public String toString() {
    return "Transaction[type=%s, subject=%s, author=%s, timestamp=%s, payload=%d bytes]"
        .formatted(type, subject, author, timestamp, payload.length);
  }

  /** True for a deletion marker: a resource version with neither payload nor content hash. */
  public boolean isTombstone() {
    return type == TransactionType.RESOURCE_VERSION
        && payload.length == 0
        && contentHash.length == 0;
  }
}
