package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionSigner;

/**
 * Signs ledger records with the author's signing key this node holds: one signature per record (one
 * ledger append), over the leaf hashes of its transactions.
 */
public final class TransactionSigning {
  private final Identities identities;
  // Prepared signers by kid (the keystore's JWKs carry their thumbprint): converting a key and
  // building its JWS header once saves that work on every signed version.
  private final Map<String, TransactionSigner> signers = new ConcurrentHashMap<>();

  public TransactionSigning(Identities identities) {
    this.identities = identities;
  }

  /** This node's identity: the author of its own records. */
  public String node() {
    return identities.node();
  }

  /**
   * Signs the unsigned transactions of {@code author} as one record with the private key of {@code
   * author} held by this node.
   *
   * @throws IllegalArgumentException if a transaction is of another author or already signed
   */
  public SignedRecord sign(List<Transaction> unsigned, String author)
      throws LedgerException, GeneralSecurityException {
    JWK key =
        identities
            .signingPrivateKey(author)
            .orElseThrow(() -> new LedgerException("this node holds no signing key for " + author));
    TransactionSigner signer = signers.get(key.getKeyID());
    if (signer == null) {
      signer = DetachedJws.signer(key);
      signers.put(key.getKeyID(), signer);
    }
    for (Transaction tx : unsigned) {
      if (!tx.author().equals(author)) {
        throw new IllegalArgumentException(
            "a record of " + author + " holds one of " + tx.author());
      }
    }
    return SignedRecord.sign(unsigned, signer);
  }
}
