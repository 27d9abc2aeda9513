package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.nimbusds.jose.jwk.JWK;
import java.util.List;
import java.util.Optional;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.RecordStore;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * Ledger proofs over FHIR: {@code [type]/[id]/_history/[vid]/$verify} (inclusion proof of a version
 * under a signed checkpoint, and the signature of the record that holds it) and the server-level
 * {@code $ledger-head}.
 */
public final class LedgerOperations {
  private final RecordStore store;
  private final ResourceIndex index;
  private final Ledger ledger;
  private final JWK nodePublicKey;
  private final Identities identities;

  /**
   * {@code store} decides whether the requester may read a version; the proofs come from the
   * ledger; {@code identities} gives the node key and authors' public keys.
   */
  public LedgerOperations(
      RecordStore store, ResourceIndex index, Ledger ledger, Identities identities) {
    this.store = store;
    this.index = index;
    this.ledger = ledger;
    this.nodePublicKey = identities.nodeKey().toPublicJWK();
    this.identities = identities;
  }

  /** The read rule: a key for the version and, for others than its owners, a consent now. */
  private void requireReadable(VersionMeta meta, String requester) {
    try {
      store.readShared(meta, requester);
    } catch (org.healthgateway.server.store.AccessDeniedException e) {
      throw new ForbiddenOperationException(e.getMessage());
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  /**
   * Proof that the version's transaction is entry {@code index} of the signed tree, and what its
   * author signed: the record's leaf hashes ({@code recordLeafHash}, in order; the entry's is the
   * one at {@code recordPosition}) and the record signature over {@link RecordCodec#signingInput}.
   * An entry of the first format carries its own signature in {@code entry} instead and has no
   * record parameters.
   */
  public Parameters verify(String type, IIdType id, String requester) {
    if (!id.hasVersionIdPart()) {
      throw new InvalidRequestException(
          "$verify needs a version: " + type + "/" + id.getIdPart() + "/_history/[vid]/$verify");
    }
    VersionMeta meta =
        index
            .version(type, id.getIdPart(), id.getVersionIdPartAsLong())
            .orElseThrow(() -> new ResourceNotFoundException(id.getValue()));
    if (!meta.deleted()) {
      requireReadable(meta, requester);
    }
    try {
      LedgerEntry entry = ledger.read(meta.ledgerIndex());
      Checkpoint checkpoint = ledger.checkpoint(meta.ledgerIndex() + 1);
      List<byte[]> proof = ledger.inclusionProof(meta.ledgerIndex(), checkpoint.treeSize());
      Parameters parameters = new Parameters();
      parameters
          .addParameter()
          .setName("index")
          .setValue(new IntegerType(toInt(meta.ledgerIndex())));
      parameters
          .addParameter()
          .setName("treeSize")
          .setValue(new IntegerType(toInt(checkpoint.treeSize())));
      parameters
          .addParameter()
          .setName("entry")
          .setValue(new Base64BinaryType(TransactionCodec.encode(entry.transaction())));
      parameters
          .addParameter()
          .setName("leafHash")
          .setValue(new Base64BinaryType(entry.leafHash()));
      for (byte[] node : proof) {
        parameters.addParameter().setName("proof").setValue(new Base64BinaryType(node));
      }
      Optional<RecordSignature> record = ledger.recordSignature(meta.ledgerIndex());
      if (record.isPresent()) {
        addRecord(parameters, record.get(), meta.ledgerIndex());
      }
      parameters
          .addParameter()
          .setName("rootHash")
          .setValue(new Base64BinaryType(checkpoint.rootHash()));
      parameters
          .addParameter()
          .setName("checkpoint")
          .setValue(new StringType(checkpoint.signature()));
      parameters
          .addParameter()
          .setName("nodeKey")
          .setValue(new StringType(nodePublicKey.toJSONString()));
      return parameters;
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  /** Size, root and newest signed checkpoint of the ledger, and the node's public key. */
  @Operation(name = "$ledger-head", idempotent = true)
  public Parameters head() {
    Requester.current();
    try {
      long size = ledger.size();
      Checkpoint checkpoint = ledger.checkpoint(size);
      Parameters parameters = new Parameters();
      parameters.addParameter().setName("treeSize").setValue(new IntegerType(toInt(size)));
      parameters
          .addParameter()
          .setName("rootHash")
          .setValue(new Base64BinaryType(ledger.rootHash(size)));
      parameters
          .addParameter()
          .setName("checkpoint")
          .setValue(new StringType(checkpoint.signature()));
      parameters
          .addParameter()
          .setName("nodeKey")
          .setValue(new StringType(nodePublicKey.toJSONString()));
      return parameters;
    } catch (Exception e) {
      throw Errors.map(e);
    }
  }

  private void addRecord(Parameters parameters, RecordSignature record, long index)
      throws LedgerException {
    parameters.addParameter().setName("recordAuthor").setValue(new StringType(record.author()));
    parameters
        .addParameter()
        .setName("recordPosition")
        .setValue(new IntegerType(record.position(index)));
    for (byte[] leaf : record.leafHashes()) {
      parameters.addParameter().setName("recordLeafHash").setValue(new Base64BinaryType(leaf));
    }
    parameters
        .addParameter()
        .setName("recordSignature")
        .setValue(new StringType(record.signature()));
    Optional<JWK> key = identities.signingKey(record.author());
    Optional<String> kid = DetachedJws.keyId(record.signature());
    if (key.isPresent() && kid.isPresent() && kid.get().equals(DetachedJws.thumbprint(key.get()))) {
      parameters
          .addParameter()
          .setName("recordAuthorKey")
          .setValue(new StringType(key.get().toPublicJWK().toJSONString()));
    }
  }

  private static int toInt(long value) {
    return Math.toIntExact(value);
  }
}
