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
 * @param node this node's identity on the ledger
 * @param audit audit trail settings: auditors and retention
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
    Subscriptions subscriptions,
    Node node,
    Audit audit) {

  public GatewayProperties {
    if (subscriptions == null) {
      subscriptions = new Subscriptions(List.of());
    }
    if (node == null) {
      node = new Node(null);
    }
    if (audit == null) {
      audit = new Audit(List.of(), null, null);
    }
  }

  /**
   * The node.
   *
   * @param id this node's identity is {@code Device/<id>} (default {@code node}); what its own
   *     records name as author. Nodes that share a ledger need different ids, e.g. {@code
   *     hospital-a}; never change it once the node has written
   */
  public record Node(String id) {
    public Node {
      id = id == null || id.isBlank() ? "node" : id.trim();
      if (!id.matches("[A-Za-z0-9\\-.]{1,64}")) {
        throw new IllegalArgumentException(
            "gateway.node.id must be a FHIR id (letters, digits, '-', '.'), not " + id);
      }
    }

    /** The identity reference, {@code Device/<id>}. */
    public String reference() {
      return "Device/" + id;
    }
  }

  /**
   * Ledger settings.
   *
   * @param segmentBytes embedded ledger: segment size
   * @param checkpointInterval embedded ledger: at most one background checkpoint per interval
   * @param snapshotAfter ledger entries after the last index snapshot that make a new one (and a
   *     start that replayed more writes one); 0: no snapshots, every start replays every entry
   * @param type {@code embedded} (default: segment files in the data directory) or {@code ethereum}
   *     (an EVM chain shared with other organizations' nodes, ledger-ethereum/README.md)
   * @param ethereum settings of the {@code ethereum} ledger
   */
  public record Ledger(
      long segmentBytes,
      Duration checkpointInterval,
      long snapshotAfter,
      String type,
      Ethereum ethereum) {
    public Ledger {
      type = type == null || type.isBlank() ? "embedded" : type.trim();
      if (!type.equals("embedded") && !type.equals("ethereum")) {
        throw new IllegalArgumentException(
            "gateway.ledger.type must be embedded or ethereum, not " + type);
      }
      if (ethereum == null) {
        ethereum = new Ethereum(null, null, null, 2, 0, null, List.of(), null);
      }
    }
  }

  /**
   * The {@code ethereum} ledger.
   *
   * @param rpcUrl the node's JSON-RPC endpoint, e.g. {@code http://127.0.0.1:8545}
   * @param contractAddress the RecordLog contract; empty: deploy one on first start and keep its
   *     address in {@code <data-dir>/ethereum-contract.properties}
   * @param accountKeystore Ethereum V3 keystore file of the account that pays for appends, its
   *     password the node keystore's ({@code GATEWAY_KEYSTORE_PASSWORD}); default {@code
   *     <data-dir>/ethereum-account.json}
   * @param confirmationDepth blocks on top of a record's block before it is applied
   * @param startBlock first block the follower reads (the contract's creation block); with a
   *     deployed contract, its creation block
   * @param pollInterval how often the follower asks the node for new blocks (default 250 ms)
   * @param registryKeys the public JWKs (each a file or inline JSON) of the chain's founding
   *     members, whose records admit the other nodes (MEMBER transactions); empty: this node's own
   *     key, for the node that starts a chain
   * @param admissionTimeout how long a node that is not a member yet waits at start for a member to
   *     admit it before it refuses to start (default 1 hour)
   */
  public record Ethereum(
      String rpcUrl,
      String contractAddress,
      Path accountKeystore,
      int confirmationDepth,
      long startBlock,
      Duration pollInterval,
      List<String> registryKeys,
      Duration admissionTimeout) {
    public Ethereum {
      admissionTimeout = admissionTimeout == null ? Duration.ofHours(1) : admissionTimeout;
      pollInterval = pollInterval == null ? Duration.ofMillis(250) : pollInterval;
      registryKeys =
          registryKeys == null
              ? List.of()
              : registryKeys.stream().filter(k -> k != null && !k.isBlank()).toList();
    }
  }

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

  /**
   * Audit trail settings.
   *
   * @param auditors users (e.g. {@code Practitioner/demo-auditor}) who may search and export every
   *     AuditEvent of the node; empty by default
   * @param retention how long AuditEvents are served, an ISO 8601 period ({@code P6Y}) or duration
   *     ({@code PT1H}); empty (default): forever. Expired events stay on the ledger
   * @param expiryInterval how often the retention runs after the run at start (default 1 day)
   */
  public record Audit(List<String> auditors, String retention, Duration expiryInterval) {
    public Audit {
      auditors = auditors == null ? List.of() : List.copyOf(auditors);
      expiryInterval = expiryInterval == null ? Duration.ofDays(1) : expiryInterval;
    }
  }
}
