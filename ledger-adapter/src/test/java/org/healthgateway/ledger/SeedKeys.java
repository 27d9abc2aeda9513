package org.healthgateway.ledger;

import com.nimbusds.jose.jwk.JWK;
import java.text.ParseException;

/**
 * Fixed EC P-256 keys of the fuzz seeds: the signatures in the committed seed files verify only
 * with these. Test keys, published on purpose; nothing else uses them.
 */
public final class SeedKeys {
  public static final String NODE = "Device/node";
  public static final String AUTHOR = "Practitioner/seed";

  public static final JWK NODE_KEY =
      parse(
          "{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"dbJW_A3sEzPLtauQrw_dPMMCVtSfnX3G5i7y6bfs0GI\","
              + "\"x\":\"SyiUaDywH0aTkt46OVnjg2mpRoQRD0SuuDV94x-zgFw\","
              + "\"y\":\"tGgYsA3ecikfUwroiDGZ84gqwbjrfN1dgZ9dWccDWlw\"}");
  public static final JWK AUTHOR_KEY =
      parse(
          "{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"U-LqdMAfB__EV4i_IYDxy3-QFXsWEz5EakeO_NVXlPg\","
              + "\"x\":\"pJxDBMA3nOsdWoINugiUpkmgd1hiZ9RPKZzbvFqXY_I\","
              + "\"y\":\"kuBOM5abxwSbPRTM-Yz7Bjsx8Ww-qirHZhKAdxEIlUg\"}");

  private SeedKeys() {}

  private static JWK parse(String json) {
    try {
      return JWK.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }
}
