package org.healthgateway.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link Ledger#append} writes: transactions of one author, unsigned each, and the
 * author's one signature over their RFC 9162 leaf hashes ({@link RecordCodec} defines the bytes).
 * Immutable; the canonical bytes and leaf hashes are computed once, when it is signed, in the
 * caller's thread.
 */
public final class SignedRecord {
  private final String author;
  private final List<Transaction> transactions;
  private final List<byte[]> entries;
  private final List<byte[]> leafHashes;
  private final String signature;

  private SignedRecord(
      String author,
      List<Transaction> transactions,
      List<byte[]> entries,
      List<byte[]> leafHashes,
      String signature) {
    this.author = author;
    this.transactions = List.copyOf(transactions);
    this.entries = List.copyOf(entries);
    this.leafHashes = List.copyOf(leafHashes);
    this.signature = signature;
  }

  /**
   * Signs {@code transactions} as one record with {@code signer}, the key of their author.
   *
   * @param transactions at least one, all by the same author, each with an empty signature
   * @throws IllegalArgumentException if the transactions are empty, of more than one author, carry
   *     signatures, or exceed a cap of the encoding
   * @throws LedgerException if the signer fails
   */
  public static SignedRecord sign(List<Transaction> transactions, TransactionSigner signer)
      throws LedgerException {
    if (transactions.isEmpty() || transactions.size() > RecordCodec.MAX_ENTRIES) {
      throw new IllegalArgumentException("a record holds 1 to " + RecordCodec.MAX_ENTRIES);
    }
    String author = transactions.get(0).author();
    List<byte[]> entries = new ArrayList<>(transactions.size());
    List<byte[]> leafHashes = new ArrayList<>(transactions.size());
    for (Transaction tx : transactions) {
      String problem = RecordCodec.entryProblem(tx, author);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      byte[] entry = TransactionCodec.encode(tx);
      entries.add(entry);
      leafHashes.add(Rfc9162.leafHash(entry));
    }
    String jws = signer.sign(RecordCodec.signingInput(author, leafHashes));
    return new SignedRecord(author, transactions, entries, leafHashes, jws);
  }

  /** A record read back by {@link RecordCodec#decode}, whose parts it has checked. */
  static SignedRecord of(
      String author,
      List<Transaction> transactions,
      List<byte[]> entries,
      List<byte[]> leafHashes,
      String signature) {
    return new SignedRecord(author, transactions, entries, leafHashes, signature);
  }

  /** The identity reference of the author, who signed the record. */
  public String author() {
    return author;
  }

  /** The transactions, in log order, each with an empty signature. */
  public List<Transaction> transactions() {
    return transactions;
  }

  /** Number of entries. */
  public int size() {
    return transactions.size();
  }

  /** The entries' RFC 9162 leaf hashes, in order (copies). */
  public List<byte[]> leafHashes() {
    List<byte[]> copies = new ArrayList<>(leafHashes.size());
    for (byte[] hash : leafHashes) {
      copies.add(hash.clone());
    }
    return copies;
  }

  /** The detached JWS by the author over {@link #signingInput}. */
  public String signature() {
    return signature;
  }

  /** What the author signed: {@link RecordCodec#signingInput} of the author and leaf hashes. */
  public byte[] signingInput() {
    return RecordCodec.signingInput(author, leafHashes);
  }

  /** The signature as a reader of one entry checks it, once the record starts at {@code index}. */
  public RecordSignature at(long firstIndex) {
    return new RecordSignature(firstIndex, author, leafHashes, signature);
  }

  /** Canonical bytes of entry {@code j}; not copied, for the codec. */
  byte[] entry(int j) {
    return entries.get(j);
  }

  /** Leaf hash of entry {@code j}; not copied, for the codec. */
  byte[] leafHash(int j) {
    return leafHashes.get(j);
  }

  @Override
  public String toString() {
    return "SignedRecord[author=%s, entries=%d]".formatted(author, transactions.size());
  }
}
