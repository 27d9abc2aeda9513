package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionSigner;

/** Signs ledger transactions with the author's signing key this node holds. */
public final class TransactionSigning {
  private final Identities identities;
  // Prepared signers by kid (the keystore's JWKs carry their thumbprint): converting a key and
  // building its JWS header once saves that work on every signed version.
  private final Map<String, TransactionSigner> signers = new ConcurrentHashMap<>();

  public TransactionSigning(Identities identities) {
    this.identities = identities;
  }

  /** Signs a transaction with the private key of {@code author} held by this node. */
  public Transaction sign(Transaction unsigned, String author)
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
    return unsigned.withSignature(signer.sign(TransactionCodec.signingInput(unsigned)));
  }
}
