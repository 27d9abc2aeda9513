package org.healthgateway.keys.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.healthgateway.keys.ContentCipher;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyWrapper;
import org.healthgateway.keys.grant.Grant;
import org.healthgateway.keys.grant.GrantRing;
import org.healthgateway.keys.log.KeyLog;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.keys.log.WrappedKey;

/**
 * Seals a resource version for its readers and opens it for one of them. Sealing takes a fresh data
 * key, encrypts the content under it (AES-256-GCM, {@link ContentCipher}) with the {@link #aad AAD}
 * of the version, and wraps the data key (A256KW) under each reader's grant key for the patient,
 * issuing grants as needed. Opening finds the reader's grant among the version's wraps or later
 * releases and reverses the steps. Thread-safe.
 */
public final class Envelope {
  /** The sealed content and the data key wrapped under each reader's grant. */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; never compared or hashed
  public record Sealed(byte[] payload, List<WrappedKey> keys) {
    public Sealed {
      payload = payload.clone();
      keys = List.copyOf(keys);
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }
  }

  private final GrantRing grants;
  private final ContentCipher cipher;
  private final KeyWrapper keyWrapper;
  private final Cache<Long, SecretKey> dataKeys;
  private final MeterRegistry meters;

  /**
   * @param dataKeys cache of opened data keys by the version's log position (memory only)
   */
  public Envelope(
      GrantRing grants,
      ContentCipher cipher,
      KeyWrapper keyWrapper,
      Cache<Long, SecretKey> dataKeys,
      MeterRegistry meters) {
    this.grants = grants;
    this.cipher = cipher;
    this.keyWrapper = keyWrapper;
    this.dataKeys = dataKeys;
    this.meters = meters;
  }

  /**
   * The additional data that binds sealed content to its place: the UTF-8 bytes of {@code
   * Type/id/_history/version}, one {@code 0x00}, the UTF-8 bytes of the patient's pseudonym (empty
   * for owner-only types outside any compartment). A ciphertext moved to another version or another
   * patient does not open.
   */
  public static byte[] aad(String versionedReference, String pseudonym) {
    return (versionedReference + '\0' + pseudonym).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Seals content for its readers, in order; each reader's grant for the patient is durable in the
   * log before the data key is wrapped under it.
   */
  public Sealed seal(
      String versionedReference,
      String pseudonym,
      byte[] plaintext,
      Collection<String> readers,
      KeyLog log)
      throws KeyLogException, GeneralSecurityException {
    SecretKey dek = DataKeys.newDataKey();
    byte[] payload = cipher.seal(dek, plaintext, aad(versionedReference, pseudonym));
    List<WrappedKey> wrapped = new ArrayList<>(readers.size());
    for (String reader : readers) {
      Grant grant = grants.ensure(pseudonym, reader, log);
      wrapped.add(
          new WrappedKey(grant.id(), "A256KW", keyWrapper.wrap(grants.key(grant, log), dek)));
      meters.counter("gateway.keys.wraps", "kind", "data").increment();
    }
    return new Sealed(payload, wrapped);
  }

  /** The requester's grant that opens the version, if any. */
  public Optional<Grant> grantFor(VersionMeta meta, String requester) {
    return grants.grantFor(meta.grantKeyIds(), meta.ledgerIndex(), requester);
  }

  /**
   * Opens a sealed version with a grant of the reader (from {@link #grantFor}).
   *
   * @param pseudonym the patient pseudonym the version was sealed with
   * @param payload the sealed content
   * @param keys the data keys wrapped when the version was written
   * @throws GeneralSecurityException if the grant wraps no key of the version, or the content does
   *     not open (tampered, moved, or wrong key)
   */
  public byte[] open(
      VersionMeta meta,
      String pseudonym,
      byte[] payload,
      List<WrappedKey> keys,
      Grant grant,
      KeyLog log)
      throws GeneralSecurityException, KeyLogException {
    // Checked before the cache is asked: a cached data key spares the unwrap, not this check.
    byte[] wrapped =
        wrappedDataKey(meta, keys, grant)
            .orElseThrow(() -> new GeneralSecurityException("no wrapped key for the grant"));
    byte[] aad = aad(meta.versionedReference(), pseudonym);
    SecretKey cached = dataKeys.getIfPresent(meta.ledgerIndex());
    if (cached != null) {
      meters.counter("gateway.keys.cache", "key", "data", "result", "hit").increment();
      return cipher.open(cached, payload, aad);
    }
    meters.counter("gateway.keys.cache", "key", "data", "result", "miss").increment();
    SecretKey dek = keyWrapper.unwrap(grants.key(grant, log), wrapped);
    meters.counter("gateway.keys.unwraps", "kind", "data").increment();
    byte[] plaintext = cipher.open(dek, payload, aad);
    // Cached only once content opened under it: keys and content that do not belong to the
    // version leave nothing behind for its position.
    dataKeys.put(meta.ledgerIndex(), dek);
    return plaintext;
  }

  /** The data key of a version wrapped under the grant, as stored (for a patient's wallet). */
  public Optional<byte[]> wrappedDataKey(VersionMeta meta, List<WrappedKey> keys, Grant grant) {
    for (WrappedKey key : keys) {
      if (key.keyId().equals(grant.id())) {
        return Optional.of(key.wrapped());
      }
    }
    return grants.releasedDataKey(meta.ledgerIndex(), grant.id());
  }
}
