package org.healthgateway.server.members;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthgateway.keys.log.KeyLogException;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.ethereum.EthereumLedger;
import org.healthgateway.ledger.ethereum.Member;
import org.healthgateway.server.store.LedgerKeyLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

/**
 * {@code /actuator/members} on the management port (loopback only by default): the members of the
 * shared chain as this node rebuilt them from it, and the operator's act of admitting another
 * organization's node, a MEMBER transaction this node signs. Only a node of the {@code ethereum}
 * ledger has members; the embedded ledger answers 404 for both.
 */
@Endpoint(id = "members")
public class MembersEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(MembersEndpoint.class);
  private static final String NODE_PREFIX = "Device/";

  private final Ledger ledger;
  private final LedgerKeyLog keyLog;

  public MembersEndpoint(Ledger ledger, LedgerKeyLog keyLog) {
    this.ledger = ledger;
    this.keyLog = keyLog;
  }

  /** Every member: identity, key thumbprint, who admitted it, where. */
  @ReadOperation
  public WebEndpointResponse<Object> members() {
    if (!(ledger instanceof EthereumLedger chain)) {
      return notShared();
    }
    List<Map<String, Object>> members =
        chain.members().stream().map(MembersEndpoint::json).toList();
    return new WebEndpointResponse<>(Map.of("members", members));
  }

  /**
   * Admits the node {@code Device/<node>}: the body is its public signing key, the node's {@code
   * node-key.jwk.json} as it is (an EC P-256 or RSA JWK, whose members arrive as these parameters).
   * 201 with the new member once the MEMBER entry is applied; 400 for a malformed id or key, 409 if
   * the key is a member already.
   */
  @WriteOperation
  @SuppressWarnings("TooManyParameters") // the members of a JWK, as actuator binds a JSON body
  public WebEndpointResponse<Object> admit(
      @Selector String node,
      String kty,
      @Nullable String crv,
      @Nullable String x,
      @Nullable String y,
      @Nullable String n,
      @Nullable String e,
      @Nullable String use,
      @Nullable String kid) {
    if (!(ledger instanceof EthereumLedger chain)) {
      return notShared();
    }
    if (node == null || !node.matches("[A-Za-z0-9\\-.]{1,64}")) {
      return problem(400, "the node id (gateway.node.id) must be a FHIR id, not " + node);
    }
    String identity = NODE_PREFIX + node;
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", kty);
    putIfSet(jwk, "crv", crv);
    putIfSet(jwk, "x", x);
    putIfSet(jwk, "y", y);
    putIfSet(jwk, "n", n);
    putIfSet(jwk, "e", e);
    putIfSet(jwk, "use", use);
    putIfSet(jwk, "kid", kid);
    JWK key;
    try {
      key = JWK.parse(jwk);
    } catch (ParseException | RuntimeException problem) {
      return problem(400, "the body is not a JSON Web Key: " + problem.getMessage());
    }
    if (key.isPrivate()
        || !DetachedJws.isAllowedPublicKey(key)
        || (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse()))) {
      return problem(
          400, "jwk must be a public signing key (EC P-256 or RSA), never a private one");
    }
    if (chain.isMember(key)) {
      return problem(409, "this key is a member already");
    }
    try {
      long index = keyLog.admit(identity, key);
      LOG.info("admitted {} (key {}) at ledger index {}", identity, thumbprint(key), index);
      Member member =
          chain.members().stream()
              .filter(m -> m.ledgerIndex() == index)
              .findFirst()
              .orElse(new Member(identity, thumbprint(key), "", index));
      return new WebEndpointResponse<>(json(member), 201);
    } catch (KeyLogException failure) {
      LOG.warn("admission of {} failed: {}", identity, failure.getMessage());
      return problem(503, "the admission was not recorded: " + failure.getMessage());
    }
  }

  private static void putIfSet(Map<String, Object> jwk, String name, String value) {
    if (value != null) {
      jwk.put(name, value);
    }
  }

  private static String thumbprint(JWK key) {
    try {
      return DetachedJws.thumbprint(key);
    } catch (LedgerException e) {
      return "";
    }
  }

  private static Map<String, Object> json(Member member) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("identity", member.identity());
    json.put("keyThumbprint", member.keyThumbprint());
    json.put("admittedBy", member.admittedBy());
    json.put("ledgerIndex", member.ledgerIndex());
    return json;
  }

  private static WebEndpointResponse<Object> notShared() {
    return problem(
        404, "this node's ledger is not shared: only gateway.ledger.type=ethereum has members");
  }

  private static WebEndpointResponse<Object> problem(int status, String message) {
    return new WebEndpointResponse<>(Map.of("error", message), status);
  }
}
