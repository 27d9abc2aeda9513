package org.healthgateway.server.store;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.keys.log.GrantFact;
import org.healthgateway.keys.log.IdentityFact;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.WrappedKey;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;

/**
 * The broker's key log on the ledger: an {@link IdentityFact} is an IDENTITY transaction (subject,
 * patient pseudonym, the public JWK as JSON payload), a {@link GrantFact} a KEY_RELEASE (subject =
 * recipient, patient pseudonym, wrapped keys, the cited release statement as payload); both are
 * authored and signed by the node.
 */
public final class LedgerKeyLog implements KeyLog {
  private final Ledger ledger;
  private final TransactionSigning signing;
  private final FactPositions positions;

  /** A key log on the ledger that records where each fact it appends lands in {@code positions}. */
  public LedgerKeyLog(Ledger ledger, TransactionSigning signing, FactPositions positions) {
    this.ledger = ledger;
    this.signing = signing;
    this.positions = positions;
  }

  @Override
  public List<Long> appendIdentities(List<IdentityFact> facts) throws KeyLogException {
    List<Transaction> txs = new ArrayList<>(facts.size());
    for (IdentityFact fact : facts) {
      txs.add(identityTransaction(fact, signing.node()));
    }
    return append(txs);
  }

  @Override
  public List<Long> appendGrants(List<GrantFact> facts) throws KeyLogException {
    List<Transaction> txs = new ArrayList<>(facts.size());
    for (GrantFact fact : facts) {
      txs.add(
          new Transaction(
              TransactionType.KEY_RELEASE,
              fact.recipient(),
              fact.pseudonym(),
              List.of(),
              signing.node(),
              Instant.now(),
              new byte[0],
              fact.statement(),
              fact.keys().stream().map(LedgerKeyLog::toLedger).toList(),
              ""));
    }
    return append(txs);
  }

  /**
   * Admits a node to a shared ledger: a MEMBER transaction (subject the node's identity, payload
   * its public signing JWK) in a record this node signs; counts only if this node is a member.
   *
   * @return the ledger index of the MEMBER entry, once applied
   */
  public long admit(String node, JWK signingKey) throws KeyLogException {
    Transaction tx =
        new Transaction(
            TransactionType.MEMBER,
            node,
            "",
            List.of(),
            signing.node(),
            Instant.now(),
            new byte[0],
            signingKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
            List.of(),
            "");
    return append(List.of(tx)).get(0);
  }

  @Override
  public GrantFact grant(long position) throws KeyLogException {
    try {
      return grantFact(ledger.read(position).transaction());
    } catch (LedgerException e) {
      throw new KeyLogException("cannot read the key release at " + position, e);
    }
  }

  /** The node's IDENTITY transaction for a fact, unsigned. */
  private static Transaction identityTransaction(IdentityFact fact, String node) {
    return new Transaction(
        TransactionType.IDENTITY,
        fact.subject(),
        fact.pseudonym(),
        List.of(),
        node,
        Instant.now(),
        new byte[0],
        fact.publicKey().toJSONString().getBytes(StandardCharsets.UTF_8),
        List.of(),
        "");
  }

  /** The identity fact an IDENTITY transaction records. */
  public static IdentityFact identityFact(Transaction tx) throws LedgerException {
    try {
      JWK key = JWK.parse(new String(tx.payload(), StandardCharsets.UTF_8));
      return new IdentityFact(tx.subject(), tx.patient(), key);
    } catch (ParseException | IllegalArgumentException e) {
      throw new LedgerException(
          "identity transaction without a valid public JWK: " + tx.subject(), e);
    }
  }

  /** The grant fact a KEY_RELEASE transaction records, or null if it carries no key. */
  public static GrantFact grantFact(Transaction tx) {
    if (tx.wrappedKeys().isEmpty()) {
      return null;
    }
    return new GrantFact(
        tx.subject(),
        tx.patient(),
        tx.wrappedKeys().stream().map(LedgerKeyLog::fromLedger).toList(),
        tx.payload());
  }

  /** The broker's form of a key the ledger holds. */
  public static WrappedKey fromLedger(org.healthgateway.ledger.WrappedKey key) {
    return new WrappedKey(key.keyId(), key.algorithm(), key.wrapped());
  }

  /** The ledger's form of a key the broker wrapped. */
  public static org.healthgateway.ledger.WrappedKey toLedger(WrappedKey key) {
    return new org.healthgateway.ledger.WrappedKey(key.keyId(), key.algorithm(), key.wrapped());
  }

  /** Appends the node's transactions as one record, signed by the node. */
  private List<Long> append(List<Transaction> txs) throws KeyLogException {
    if (txs.isEmpty()) {
      return List.of();
    }
    SignedRecord record;
    try {
      record = signing.sign(txs, signing.node());
    } catch (LedgerException | GeneralSecurityException e) {
      throw new KeyLogException("cannot sign key facts", e);
    }
    try {
      List<Long> indexes = ledger.append(record);
      indexes.forEach(positions::add);
      return indexes;
    } catch (LedgerException e) {
      throw new KeyLogException("cannot record key facts", e);
    }
  }
}
