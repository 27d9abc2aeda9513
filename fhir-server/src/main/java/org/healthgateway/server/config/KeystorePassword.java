package org.healthgateway.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.healthgateway.server.properties.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node keystore's password: from configuration ({@code GATEWAY_KEYSTORE_PASSWORD}); in demo
 * mode without one, a random password kept in the secrets directory, never in the data directory.
 */
final class KeystorePassword {
  private static final Logger LOG = LoggerFactory.getLogger(KeystorePassword.class);

  private KeystorePassword() {}

  static char[] resolve(GatewayProperties properties) {
    if (properties.keystorePassword() != null && !properties.keystorePassword().isEmpty()) {
      return properties.keystorePassword().toCharArray();
    }
    if (!properties.demo()) {
      throw new IllegalStateException(
          "Set GATEWAY_KEYSTORE_PASSWORD (or gateway.keystore-password): the node keystore needs a"
              + " password outside demo mode");
    }
    Path file = properties.secretsDir().resolve("keystore-password");
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim().toCharArray();
      }
      Files.createDirectories(properties.secretsDir());
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.writeString(file, password, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not POSIX: the directory's protection applies.
      }
      LOG.warn(
          "Demo mode: made a random keystore password in {}; set GATEWAY_KEYSTORE_PASSWORD in"
              + " production",
          file);
      return password.toCharArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
