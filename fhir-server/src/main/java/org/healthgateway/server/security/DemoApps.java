package org.healthgateway.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The demo SMART apps: {@code demo-patient-app}, a public client (PKCE, no secret) for patients,
 * used by the patient web app; {@code demo-practitioner-web}, a public client with the
 * practitioner's scopes, used by the practitioner web app (a browser app keeps no secret); and
 * {@code demo-practitioner-app}, a confidential client (client secret) for practitioners' server
 * side apps with EHR launch and offline access. The secret is made on first start and kept in
 * {@code secrets-dir/demo-apps.json}; public clients have no secret and are always registered.
 * Redirect URIs come from {@code gateway.smart.demo-redirect-uris}.
 */
public final class DemoApps {
  /** An app; {@code clientSecret} is null for a public client. */
  public record App(String clientId, String clientSecret) {}

  /** The file's shape. */
  public record AppsFile(List<App> apps) {}

  public static final String PATIENT_APP = "demo-patient-app";
  public static final String PRACTITIONER_APP = "demo-practitioner-app";
  public static final String PRACTITIONER_WEB_APP = "demo-practitioner-web";
  static final String FILE = "demo-apps.json";

  private static final List<String> PATIENT_APP_SCOPES =
      List.of(
          "openid",
          "fhirUser",
          "profile",
          "launch/patient",
          "offline_access",
          "online_access",
          org.healthgateway.server.smart.TokenScopes.REGISTER_KEYS,
          "patient/*.cruds");
  private static final List<String> PRACTITIONER_APP_SCOPES =
      List.of(
          "openid",
          "fhirUser",
          "profile",
          "launch",
          "launch/patient",
          "launch/encounter",
          "offline_access",
          "online_access",
          "patient/*.cruds",
          "user/*.cruds");

  private final List<App> apps;

  private DemoApps(List<App> apps) {
    this.apps = List.copyOf(apps);
  }

  public static DemoApps loadOrCreate(Path secretsDir, boolean demo) {
    if (!demo) {
      return new DemoApps(List.of());
    }
    Path file = secretsDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return new DemoApps(SecretFiles.JSON.readValue(file.toFile(), AppsFile.class).apps());
      }
      List<App> made =
          List.of(
              new App(PATIENT_APP, null), new App(PRACTITIONER_APP, SecretFiles.randomSecret()));
      SecretFiles.write(file, new AppsFile(made));
      return new DemoApps(made);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  List<RegisteredClient> registeredClients(PasswordEncoder encoder, List<String> redirectUris) {
    List<RegisteredClient> registered = new ArrayList<>();
    List<App> all = new ArrayList<>(apps);
    if (!apps.isEmpty()) {
      all.add(new App(PRACTITIONER_WEB_APP, null));
    }
    for (App app : all) {
      boolean pub = app.clientSecret() == null;
      boolean patientApp = PATIENT_APP.equals(app.clientId());
      RegisteredClient.Builder client =
          RegisteredClient.withId(
                  UUID.nameUUIDFromBytes(app.clientId().getBytes(StandardCharsets.UTF_8))
                      .toString())
              .clientId(app.clientId())
              .clientName(clientName(app.clientId()))
              .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
              .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
              .redirectUris(uris -> uris.addAll(redirectUris))
              .scopes(s -> s.addAll(patientApp ? PATIENT_APP_SCOPES : PRACTITIONER_APP_SCOPES))
              .clientSettings(
                  ClientSettings.builder()
                      .requireProofKey(true)
                      .requireAuthorizationConsent(true)
                      .build())
              .tokenSettings(
                  TokenSettings.builder()
                      .refreshTokenTimeToLive(Duration.ofDays(30))
                      .reuseRefreshTokens(false)
                      .build());
      if (pub) {
        client.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
      } else {
        client
            .clientSecret(encoder.encode(app.clientSecret()))
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST);
      }
      registered.add(client.build());
    }
    return registered;
  }

  private static String clientName(String clientId) {
    return switch (clientId) {
      case PATIENT_APP -> "Patient app";
      case PRACTITIONER_WEB_APP -> "Practitioner web app";
      default -> "Demo practitioner app";
    };
  }
}
