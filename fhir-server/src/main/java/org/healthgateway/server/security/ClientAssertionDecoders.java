package org.healthgateway.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Verifies {@code private_key_jwt} client assertions (RFC 7523, SMART Backend Services) against the
 * client's registered JWKS, inline or by URL: RS384 or ES384 (SMART's required algorithms) and
 * RS256/ES256; Spring Authorization Server's checks of {@code iss}, {@code sub}, {@code aud} (the
 * token endpoint) and {@code exp}; plus a lifetime of at most five minutes and a {@code jti} that
 * is never accepted twice.
 */
final class ClientAssertionDecoders implements JwtDecoderFactory<RegisteredClient> {
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  private static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  private static final Duration SKEW = Duration.ofSeconds(60);

  private final Map<String, JwtDecoder> decoders = new ConcurrentHashMap<>();
  private final Cache<String, Boolean> seenIds =
      Caffeine.newBuilder()
          .maximumSize(1_000_000)
          .expireAfterWrite(MAX_LIFETIME.plus(SKEW))
          .build();

  @Override
  public JwtDecoder createDecoder(RegisteredClient client) {
    return decoders.computeIfAbsent(client.getId(), id -> build(client));
  }

  private JwtDecoder build(RegisteredClient client) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys(client)));
    NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<>(
            JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY.apply(client),
            lifetimeAndReplay(client.getClientId())));
    return decoder;
  }

  private static JWKSource<SecurityContext> keys(RegisteredClient client) {
    String inline = client.getClientSettings().getSetting(BackendClients.JWKS_SETTING);
    String url = client.getClientSettings().getJwkSetUrl();
    try {
      if (inline != null) {
        return new ImmutableJWKSet<>(JWKSet.parse(inline));
      }
      if (url != null) {
        return JWKSourceBuilder.create(URI.create(url).toURL()).build();
      }
    } catch (ParseException | MalformedURLException | IllegalArgumentException e) {
      throw invalidClient("the registered JWKS of the client is unusable");
    }
    throw invalidClient("no JWKS is registered for the client");
  }

  private OAuth2TokenValidator<Jwt> lifetimeAndReplay(String clientId) {
    return jwt -> {
      Instant expires = jwt.getExpiresAt();
      if (expires == null || expires.isAfter(Instant.now().plus(MAX_LIFETIME).plus(SKEW))) {
        return failure("client assertion must expire within five minutes");
      }
      if (jwt.getId() == null || jwt.getId().isBlank()) {
        return failure("client assertion has no jti");
      }
      if (seenIds.asMap().putIfAbsent(clientId + " " + jwt.getId(), Boolean.TRUE) != null) {
        return failure("client assertion jti was already used");
      }
      return OAuth2TokenValidatorResult.success();
    };
  }

  private static OAuth2TokenValidatorResult failure(String message) {
    return OAuth2TokenValidatorResult.failure(
        new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, message, null));
  }

  private static OAuth2AuthenticationException invalidClient(String message) {
    return new OAuth2AuthenticationException(
        new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, message, null));
  }
}
