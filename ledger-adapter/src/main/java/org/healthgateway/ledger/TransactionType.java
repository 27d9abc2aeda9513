package org.healthgateway.ledger;

/** The kinds of transaction the ledger records; the code is part of the canonical bytes. */
public enum TransactionType {
  /** A version of a resource (or, with an empty payload and no content hash, a deletion). */
  RESOURCE_VERSION(1),
  /** A consent decision (reserved for the consent flow). */
  CONSENT(2),
  /** A grant key wrapped for a recipient, or data keys released to one. */
  KEY_RELEASE(3),
  /** A public key bound to an identity (the node, a practitioner, a patient, a client). */
  IDENTITY(4),
  /** An access-log entry. */
  AUDIT(5),
  /**
   * A node admitted to a shared ledger: subject = the node's identity ({@code Device/<id>}),
   * payload = its public signing JWK; valid only in a record signed by a member (ledger-ethereum).
   */
  MEMBER(6);

  private final int code;

  TransactionType(int code) {
    this.code = code;
  }

  /** The stable one-byte code used in the canonical encoding. */
  public int code() {
    return code;
  }

  /** Returns the type with the given code, or throws {@link IllegalArgumentException}. */
  public static TransactionType ofCode(int code) {
    for (TransactionType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown transaction type " + code);
  }
}
