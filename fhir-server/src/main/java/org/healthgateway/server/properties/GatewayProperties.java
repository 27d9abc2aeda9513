package org.healthgateway.server.properties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code gateway.*}.
 *
 * @param dataDir ledger and encrypted keystore; never holds clinical plaintext or a clear private
 *     key
 * @param secretsDir where demo mode writes the demo credentials and keystore password; keep it off
 *     the data disk
 * @param keystorePassword password of the node keystore (from {@code GATEWAY_KEYSTORE_PASSWORD});
 *     empty only in demo mode
 * @param demo create the demo organization, users and credentials on first start
 * @param maxBodyBytes requests with a larger body are refused with 413
 * @param validation validate incoming resources against the base R4 specification
 * @param registrars users (e.g. {@code Practitioner/registrar}) allowed to approve, reject or
 *     revoke Consents on behalf of custodial patients; recorded as acting for the patient
 * @param recordEditors users the organization designates to change (update, delete) records that
 *     other users of this node wrote; everyone else changes only what they wrote, or what an active
 *     consent with the action {@code correct} covers
 * @param subscriptions FHIR Subscription settings
 */
@ConfigurationProperties(prefix = "gateway")
public record GatewayProperties(
    Path dataDir,
    Path secretsDir,
    String keystorePassword,
    boolean demo,
    long maxBodyBytes,
    boolean validation,
    java.util.List<String> registrars,
    java.util.List<String> recordEditors,
    Ledger ledger,
    Cache cache,
    Subscriptions subscriptions) {

  public GatewayProperties {
    if (subscriptions == null) {
      subscriptions = new Subscriptions(List.of());
    }
  }

  /**
   * Ledger settings.
   *
   * @param segmentBytes size at which the embedded ledger starts a new segment file
   * @param checkpointInterval how often a signed checkpoint covers the newest entries
   * @param snapshotAfter ledger entries after the last index snapshot that make a new one (and a
   *     start that replayed more writes one); 0: no snapshots, every start replays every entry
   */
  public record Ledger(long segmentBytes, Duration checkpointInterval, long snapshotAfter) {}

  /**
   * Bounds of the in-memory caches: unwrapped data keys, and opened (decrypted, parsed) resources.
   * Both live in memory only and expire after {@code dataKeyTtl} without access.
   */
  public record Cache(long dataKeys, long openedResources, Duration dataKeyTtl) {}

  /**
   * Subscription settings.
   *
   * @param allowedEndpoints rest-hook endpoints accepted besides https to hosts whose every address
   *     is public, as {@code scheme://host[:port][/path]} patterns ({@code *} for any port, {@code
   *     *.example.org} for its subdomains), e.g. {@code http://127.0.0.1:*}; empty by default
   */
  public record Subscriptions(List<String> allowedEndpoints) {
    public Subscriptions {
      allowedEndpoints = allowedEndpoints == null ? List.of() : List.copyOf(allowedEndpoints);
    }
  }
}
