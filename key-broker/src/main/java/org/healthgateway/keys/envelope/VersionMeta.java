package org.healthgateway.keys.envelope;

import java.time.Instant;
import java.util.Set;

/**
 * What the node knows about one resource version without decrypting it.
 *
 * @param ledgerIndex where the version's transaction sits in the ledger
 * @param patientId the patient the resource belongs to, or null for directory resources
 * @param grantKeyIds the grant keys its data key is wrapped under; empty for public content
 * @param categories the data-category codes the ledger transaction names (in clear on the ledger)
 */
public record VersionMeta(
    String type,
    String id,
    long version,
    long ledgerIndex,
    Instant lastUpdated,
    boolean deleted,
    String author,
    String patientId,
    Set<String> grantKeyIds,
    Set<String> categories) {

  public String versionedReference() {
    return type + "/" + id + "/_history/" + version;
  }

  public boolean encrypted() {
    return !grantKeyIds.isEmpty();
  }
}
