package org.healthgateway.server.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.healthgateway.server.smart.FhirUsers;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * The demo users who sign in to the embedded authorization server's login form (App Launch): the
 * two practitioners and two patients, with random passwords made on first start and kept in {@code
 * secrets-dir/demo-users.json} (owner-readable only). User names equal the demo client ids.
 */
public final class DemoUsers implements FhirUsers {
  /** A user, its password and the FHIR resource it is. */
  public record DemoUser(String username, String password, String fhirUser) {}

  /** The file's shape. */
  public record UsersFile(List<DemoUser> users) {}

  static final String FILE = "demo-users.json";

  private final Map<String, DemoUser> users = new LinkedHashMap<>();

  private DemoUsers(List<DemoUser> users) {
    users.forEach(u -> this.users.put(u.username(), u));
  }

  public static DemoUsers loadOrCreate(Path secretsDir, boolean demo, String nodeId) {
    if (!demo) {
      return new DemoUsers(List.of());
    }
    Path file = secretsDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return new DemoUsers(SecretFiles.JSON.readValue(file.toFile(), UsersFile.class).users());
      }
      List<DemoUser> made = new ArrayList<>();
      for (String[] user : DemoClients.users(nodeId)) {
        if (!user[1].startsWith("Device/")) {
          made.add(new DemoUser(user[0], SecretFiles.randomSecret(), user[1]));
        }
      }
      SecretFiles.write(file, new UsersFile(made));
      return new DemoUsers(made);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  @Override
  public String fhirUserOf(String username) {
    DemoUser user = username == null ? null : users.get(username);
    return user == null ? null : user.fhirUser();
  }

  InMemoryUserDetailsManager userDetails(PasswordEncoder encoder) {
    List<UserDetails> details = new ArrayList<>();
    for (DemoUser user : users.values()) {
      details.add(
          User.withUsername(user.username())
              .password(encoder.encode(user.password()))
              .roles(
                  user.fhirUser()
                      .substring(0, user.fhirUser().indexOf('/'))
                      .toUpperCase(Locale.ROOT))
              .build());
    }
    return new InMemoryUserDetailsManager(details);
  }
}
