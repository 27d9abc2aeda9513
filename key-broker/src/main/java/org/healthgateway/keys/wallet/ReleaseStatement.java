package org.healthgateway.keys.wallet;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A patient's signed release of data keys to one actor, the document the patient's wallet signs and
 * the broker records. JSON (UTF-8):
 *
 * <pre>
 * {"type":"key-release","consent":"Consent/c/_history/2","patient":"Patient/p",
 *  "actor":"Practitioner/b","grantId":"g-...","grant":"&lt;JWE of the new grant key for the actor&gt;",
 *  "keys":[{"reference":"AllergyIntolerance/a/_history/1","dataKey":"&lt;base64url A256KW&gt;"}],
 *  "iat":1700000000}
 * </pre>
 *
 * The signature is a detached JWS (ES256/PS256) by the patient's signing key over these bytes.
 */
public record ReleaseStatement(
    String consent,
    String patient,
    String actor,
    String grantId,
    String grant,
    List<ReleasedKey> keys,
    long issuedAt) {

  /** At most this many keys in one release; larger scopes are released in several. */
  public static final int MAX_KEYS = 10_000;

  /** One data key, wrapped (A256KW) under the new grant key. */
  @SuppressWarnings("ArrayRecordComponent") // carries the bytes to store, never compared
  public record ReleasedKey(String reference, byte[] dataKey) {}

  public ReleaseStatement {
    keys = List.copyOf(keys);
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("a release holds at most " + MAX_KEYS + " keys");
    }
  }

  public byte[] toBytes() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", "key-release");
    json.put("consent", consent);
    json.put("patient", patient);
    json.put("actor", actor);
    json.put("grantId", grantId);
    json.put("grant", grant);
    List<Object> list = new ArrayList<>();
    for (ReleasedKey key : keys) {
      Map<String, Object> k = new LinkedHashMap<>();
      k.put("reference", key.reference());
      k.put("dataKey", Base64URL.encode(key.dataKey()).toString());
      list.add(k);
    }
    json.put("keys", list);
    json.put("iat", issuedAt);
    return JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a statement; refuses anything that is not exactly this shape.
   *
   * @throws IllegalArgumentException on a malformed statement
   */
  public static ReleaseStatement parse(byte[] bytes) {
    if (bytes.length > 4 << 20) {
      throw new IllegalArgumentException("release statement too large");
    }
    try {
      Map<String, Object> json = JSONObjectUtils.parse(new String(bytes, StandardCharsets.UTF_8));
      if (!"key-release".equals(json.get("type"))) {
        throw new IllegalArgumentException("not a key release");
      }
      List<ReleasedKey> keys = new ArrayList<>();
      List<Object> list = JSONObjectUtils.getJSONArray(json, "keys");
      if (list == null || list.size() > MAX_KEYS) {
        throw new IllegalArgumentException("keys missing or too many");
      }
      for (Object item : list) {
        @SuppressWarnings("unchecked")
        Map<String, Object> k = (Map<String, Object>) item;
        keys.add(
            new ReleasedKey(
                require(k, "reference"), new Base64URL(require(k, "dataKey")).decode()));
      }
      return new ReleaseStatement(
          require(json, "consent"),
          require(json, "patient"),
          require(json, "actor"),
          require(json, "grantId"),
          require(json, "grant"),
          keys,
          JSONObjectUtils.getLong(json, "iat"));
    } catch (ParseException | ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("malformed release statement", e);
    }
  }

  private static String require(Map<String, Object> json, String name) throws ParseException {
    String value = JSONObjectUtils.getString(json, name);
    if (value == null || value.isEmpty() || value.length() > 16384) {
      throw new IllegalArgumentException("release statement without " + name);
    }
    return value;
  }
}
