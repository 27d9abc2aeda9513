package org.healthgateway.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;

/** Owner-only JSON files in the secrets directory, written atomically, and random secrets. */
final class SecretFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final ObjectMapper JSON = new ObjectMapper();

  private SecretFiles() {}

  /** 256 random bits, base64url without padding. */
  static String randomSecret() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  static void write(Path file, Object value) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value);
    DemoClients.restrictToOwner(tmp);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
