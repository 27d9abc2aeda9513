package org.healthgateway.server.smart;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Launch contexts in memory: the opaque {@code launch} ids an EHR creates before it launches an app
 * (valid for ten minutes, used once), and the context bound to each authorization at consent, which
 * its access and refresh tokens carry.
 */
public final class LaunchContexts {
  /** Patient and encounter ids (no type prefix); encounter may be null. */
  public record LaunchContext(String patient, String encounter) {}

  static final Duration LAUNCH_TTL = Duration.ofMinutes(10);

  private final SecureRandom random = new SecureRandom();
  private final Cache<String, LaunchContext> launches =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(LAUNCH_TTL).build();
  private final Cache<String, LaunchContext> authorizations =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofDays(30)).build();

  /** Creates a launch id (128 random bits) bound to a patient and optionally an encounter. */
  public String create(String patient, String encounter) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    launches.put(id, new LaunchContext(patient, encounter));
    return id;
  }

  /** The context of a launch id, consuming it; empty if unknown, used or expired. */
  public Optional<LaunchContext> take(String launchId) {
    if (launchId == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(launches.asMap().remove(launchId));
  }

  public void bind(String authorizationId, LaunchContext context) {
    authorizations.put(authorizationId, context);
  }

  public Optional<LaunchContext> bound(String authorizationId) {
    return authorizationId == null
        ? Optional.empty()
        : Optional.ofNullable(authorizations.getIfPresent(authorizationId));
  }
}
