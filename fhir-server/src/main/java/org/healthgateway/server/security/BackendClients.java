package org.healthgateway.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.healthgateway.server.requester.Requester;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * SMART Backend Services clients (client credentials with {@code private_key_jwt}), read at start
 * from {@code secrets-dir/backend-clients.json}:
 *
 * <pre>
 * {"clients": [{"clientId": "lab-engine", "fhirUser": "Device/demo-ehr",
 *               "scope": "system/Patient.rs system/Observation.rs",
 *               "jwks": {"keys": [ ...public JWKs... ]}        (or "jwksUri": "https://...")}]}
 * </pre>
 *
 * A missing file means no backend clients. A malformed one stops the start.
 */
final class BackendClients {
  static final String FILE = "backend-clients.json";

  /** Client setting with the registered JWKS (public keys only) as JSON. */
  static final String JWKS_SETTING = "gateway.jwks";

  private static final int MAX_CLIENTS = 1000;

  private BackendClients() {}

  static List<RegisteredClient> load(Path secretsDir) {
    Path file = secretsDir.resolve(FILE);
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      JsonNode root = SecretFiles.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      List<RegisteredClient> clients = new ArrayList<>();
      for (JsonNode node : root.path("clients")) {
        if (clients.size() >= MAX_CLIENTS) {
          throw new IllegalStateException("more than " + MAX_CLIENTS + " clients in " + file);
        }
        clients.add(client(node));
      }
      return clients;
    } catch (IOException | ParseException | RuntimeException e) {
      throw new IllegalStateException(
          "Refusing to start: " + file + " is not a valid backend client list: " + e.getMessage(),
          e);
    }
  }

  private static RegisteredClient client(JsonNode node) throws ParseException {
    String clientId = text(node, "clientId");
    String fhirUser = text(node, "fhirUser");
    if (!fhirUser.matches("[A-Za-z]+/[A-Za-z0-9\\-.]{1,64}")) {
      throw new IllegalArgumentException("fhirUser of " + clientId + " is not Type/id");
    }
    ClientSettings.Builder settings =
        ClientSettings.builder().setting(Requester.FHIR_USER_CLAIM, fhirUser);
    if (node.hasNonNull("jwks")) {
      JWKSet jwks = JWKSet.parse(node.get("jwks").toString());
      if (jwks.getKeys().stream().anyMatch(k -> k.isPrivate())) {
        throw new IllegalArgumentException("jwks of " + clientId + " holds a private key");
      }
      settings.setting(JWKS_SETTING, jwks.toString(true));
    } else if (node.hasNonNull("jwksUri")) {
      settings.jwkSetUrl(text(node, "jwksUri"));
    } else {
      throw new IllegalArgumentException(clientId + " has neither jwks nor jwksUri");
    }
    return RegisteredClient.withId(
            UUID.nameUUIDFromBytes(("backend:" + clientId).getBytes(StandardCharsets.UTF_8))
                .toString())
        .clientId(clientId)
        .clientName(clientId)
        .clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
        .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
        .scopes(s -> s.addAll(scopes(node)))
        .clientSettings(settings.build())
        .build();
  }

  private static Set<String> scopes(JsonNode node) {
    Set<String> scopes = new LinkedHashSet<>();
    if (node.path("scope").isTextual()) {
      for (String s : node.get("scope").asText().trim().split("\\s+", -1)) {
        scopes.add(s);
      }
    }
    node.path("scopes").forEach(s -> scopes.add(s.asText()));
    scopes.remove("");
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("no scope for " + node.path("clientId").asText());
    }
    return scopes;
  }

  private static String text(JsonNode node, String field) {
    String value = node.path(field).asText("");
    if (value.isBlank()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return value;
  }
}
