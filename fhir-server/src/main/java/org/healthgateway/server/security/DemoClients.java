package org.healthgateway.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.healthgateway.server.requester.Requester;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The demo organization's OAuth2 clients, one per demo user, made with random secrets on first
 * start and kept in {@code secrets-dir/demo-clients.json} (owner-readable only). Not for
 * production: there, clients come from the identity provider.
 */
public final class DemoClients {
  /** A client and the FHIR user its tokens act as. */
  public record Client(String clientId, String clientSecret, String fhirUser) {}

  /** The file's shape. */
  public record ClientsFile(List<Client> clients) {}

  /** The demo users' client ids and FHIR users on a node of the default id. */
  public static final List<String[]> DEMO_USERS = users("node");

  /**
   * The demo users' client ids and FHIR users: {@code demo-<name>} on a node of the default id
   * ({@code gateway.node.id=node}), {@code <node-id>-<name>} on a named node, so that nodes sharing
   * a chain each have users of their own (client ids are the same on every node).
   */
  public static List<String[]> users(String nodeId) {
    return List.of(
        user("ehr", "Device", nodeId),
        user("practitioner-a", "Practitioner", nodeId),
        user("practitioner-b", "Practitioner", nodeId),
        user("patient-p", "Patient", nodeId),
        user("patient-q", "Patient", nodeId),
        user("registrar", "Practitioner", nodeId),
        user("auditor", "Practitioner", nodeId));
  }

  /** The FHIR id of a demo resource or user on a node, e.g. {@code demo-practitioner-a}. */
  public static String demoId(String nodeId, String name) {
    return (nodeId.equals("node") ? "demo" : nodeId) + "-" + name;
  }

  private static String[] user(String name, String type, String nodeId) {
    return new String[] {"demo-" + name, type + "/" + demoId(nodeId, name)};
  }

  private final List<Client> clients;

  private DemoClients(List<Client> clients) {
    this.clients = List.copyOf(clients);
  }

  public List<Client> clients() {
    return clients;
  }

  public static DemoClients loadOrCreate(Path secretsDir, boolean demo, String nodeId) {
    if (!demo) {
      return new DemoClients(List.of());
    }
    Path file = secretsDir.resolve("demo-clients.json");
    ObjectMapper json = new ObjectMapper();
    try {
      if (Files.exists(file)) {
        return new DemoClients(json.readValue(file.toFile(), ClientsFile.class).clients());
      }
      Files.createDirectories(secretsDir);
      List<Client> made = new ArrayList<>();
      SecureRandom random = new SecureRandom();
      for (String[] user : users(nodeId)) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        made.add(
            new Client(
                user[0], Base64.getUrlEncoder().withoutPadding().encodeToString(secret), user[1]));
      }
      Path tmp = secretsDir.resolve("demo-clients.json.tmp");
      json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), new ClientsFile(made));
      restrictToOwner(tmp);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return new DemoClients(made);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  static void restrictToOwner(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system: the directory's own protection applies.
    }
  }

  /** Patient users act only in their own compartment; the others get every level. */
  static List<String> scopesOf(String fhirUser) {
    if (fhirUser.startsWith("Patient/")) {
      return List.of("patient/*.*", org.healthgateway.server.smart.TokenScopes.REGISTER_KEYS);
    }
    return List.of(
        "system/*.*",
        "user/*.*",
        "patient/*.*",
        org.healthgateway.server.smart.TokenScopes.REGISTER_KEYS);
  }

  List<RegisteredClient> registeredClients(PasswordEncoder encoder) {
    List<RegisteredClient> registered = new ArrayList<>();
    for (Client client : clients) {
      registered.add(
          RegisteredClient.withId(
                  UUID.nameUUIDFromBytes(client.clientId().getBytes(StandardCharsets.UTF_8))
                      .toString())
              .clientId(client.clientId())
              .clientSecret(encoder.encode(client.clientSecret()))
              .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
              .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
              .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
              // No scope parameter = all registered scopes: patients get their own compartment
              // (patient/*.*), everyone else full access; a request may ask for narrower SMART
              // scopes, e.g. patient/Observation.rs for a patient's token.
              .scopes(scopes -> scopes.addAll(scopesOf(client.fhirUser())))
              .clientSettings(
                  ClientSettings.builder()
                      .setting(Requester.FHIR_USER_CLAIM, client.fhirUser())
                      .build())
              .tokenSettings(TokenSettings.builder().build())
              .build());
    }
    return registered;
  }
}
