package org.healthgateway.keys;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.keys.internal.JweKeyWrapper;

/**
 * Writes the fuzz seeds of this module (signatures and wraps are randomized, so they are generated
 * once and committed): {@code java -cp <test classpath> org.healthgateway.keys.SeedWriter
 * src/test/resources}, from the module directory.
 */
final class SeedWriter {

  private SeedWriter() {}

  public static void main(String[] args) throws Exception {
    Path resources = Path.of(args[0]).resolve("org/healthgateway/keys");
    Path jws =
        resources.resolve(
            "SignaturesFuzzTestInputs/verify_anyString_verifiesOrThrowsGeneralSecurityException");
    byte[] payload = SignaturesFuzzTest.PAYLOAD;
    write(jws, "ec-attached", Signatures.sign(SeedKeys.EC, payload));
    write(jws, "ec-detached", Signatures.signDetached(SeedKeys.EC, payload));
    write(jws, "rsa-attached", Signatures.sign(SeedKeys.RSA, payload));
    write(jws, "rsa-detached", Signatures.signDetached(SeedKeys.RSA, payload));
    JWSObject extraHeader =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(KeyPairs.thumbprint(SeedKeys.EC))
                .type(JOSEObjectType.JOSE)
                .criticalParams(java.util.Set.of("exp"))
                .customParam("exp", 1)
                .build(),
            new Payload(payload));
    extraHeader.sign(new ECDSASigner(SeedKeys.EC));
    write(jws, "ec-crit", extraHeader.serialize());

    Path jwe =
        resources.resolve(
            "internal/JweKeyWrapperFuzzTestInputs/"
                + "unwrap_anyString_unwrapsOrThrowsGeneralSecurityException");
    JweKeyWrapper wrapper = JweKeyWrapper.create();
    write(jwe, "ec", wrapper.wrap(SeedKeys.EC.toPublicJWK(), DataKeys.newDataKey()));
    write(jwe, "rsa", wrapper.wrap(SeedKeys.RSA.toPublicJWK(), DataKeys.newDataKey()));

    Path jwk = resources.resolve("JwkFuzzTestInputs/use_anyJwk_acceptedKeysWork");
    write(jwk, "ec", SeedKeys.EC.toPublicJWK().toJSONString());
    write(jwk, "rsa", SeedKeys.RSA.toPublicJWK().toJSONString());
    write(
        jwk,
        "ec-with-use",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"enc\",\"key_ops\":[\"deriveKey\"],"
            + "\"alg\":\"ECDH-ES+A256KW\",\"x\":\""
            + SeedKeys.EC.getX()
            + "\",\"y\":\""
            + SeedKeys.EC.getY()
            + "\"}");
  }

  private static void write(Path dir, String name, String content) throws Exception {
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), content.getBytes(StandardCharsets.UTF_8));
  }
}
