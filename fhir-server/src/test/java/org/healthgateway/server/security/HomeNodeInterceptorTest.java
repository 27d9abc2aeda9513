package org.healthgateway.server.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.keys.log.IdentityFact;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** A user another node registered is not served here; this node's users and new ones are. */
class HomeNodeInterceptorTest {
  @TempDir Path dir;
  private EncryptedKeyStore keys;
  private HomeNodeInterceptor interceptor;

  @BeforeEach
  void open() throws Exception {
    keys =
        EncryptedKeyStore.openOrCreate(
            dir.resolve("keystore.bcfks"), "test-fixture-password".toCharArray());
    Identities identities = new Identities(keys, "Device/hospital-b");
    identities.apply(
        new IdentityFact("Practitioner/of-a", "", KeyPairs.generateEc().toPublicJWK()),
        "Device/hospital-a");
    identities.apply(
        new IdentityFact("Practitioner/of-b", "", KeyPairs.generateEc().toPublicJWK()),
        "Device/hospital-b");
    interceptor = new HomeNodeInterceptor(identities);
  }

  @AfterEach
  void close() throws Exception {
    SecurityContextHolder.clearContext();
    keys.close();
  }

  @Test
  void aUserAnotherNodeRegistered_isRefused() {
    signedInAs("Practitioner/of-a");
    assertThatThrownBy(interceptor::requireHomeNode)
        .isInstanceOf(ForbiddenOperationException.class)
        .hasMessageContaining("Device/hospital-a");
  }

  @Test
  void thisNodesUsers_newUsers_andRequestsWithoutAUser_pass() {
    signedInAs("Practitioner/of-b");
    assertThatCode(interceptor::requireHomeNode).doesNotThrowAnyException();
    signedInAs("Practitioner/new");
    assertThatCode(interceptor::requireHomeNode).doesNotThrowAnyException();
    SecurityContextHolder.clearContext();
    assertThatCode(interceptor::requireHomeNode).doesNotThrowAnyException();
  }

  private static void signedInAs(String fhirUser) {
    Jwt jwt =
        new Jwt(
            "token",
            Instant.now(),
            Instant.now().plusSeconds(60),
            Map.of("alg", "RS256"),
            Map.of("sub", "x", "fhirUser", fhirUser));
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt));
  }
}
