package org.healthgateway.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class CachingJwtDecoderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private final AtomicInteger decodes = new AtomicInteger();
  private final AtomicReference<Instant> clock = new AtomicReference<>(NOW);

  private final JwtDecoder delegate =
      token -> {
        decodes.incrementAndGet();
        if (token.startsWith("bad")) {
          throw new BadJwtException("bad signature");
        }
        return Jwt.withTokenValue(token)
            .header("alg", "RS256")
            .subject("Practitioner/a")
            .issuedAt(NOW.minusSeconds(10))
            .expiresAt(NOW.plusSeconds(300))
            .build();
      };

  private final CachingJwtDecoder decoder =
      new CachingJwtDecoder(delegate, 100, Duration.ofMinutes(1), clock::get);

  @Test
  void decode_sameTokenTwice_checksItOnce() {
    Jwt first = decoder.decode("token-1");
    Jwt second = decoder.decode("token-1");

    assertThat(second.getSubject()).isEqualTo("Practitioner/a");
    assertThat(second).isSameAs(first);
    assertThat(decodes).hasValue(1);
  }

  @Test
  void decode_rememberedTokenPastItsExpiry_isRefused() {
    decoder.decode("token-1");
    clock.set(NOW.plusSeconds(300));

    assertThatThrownBy(() -> decoder.decode("token-1")).isInstanceOf(BadJwtException.class);
    assertThat(decodes).hasValue(1);
  }

  @Test
  void decode_badToken_isCheckedEveryTime() {
    assertThatThrownBy(() -> decoder.decode("bad-1")).isInstanceOf(BadJwtException.class);
    assertThatThrownBy(() -> decoder.decode("bad-1")).isInstanceOf(BadJwtException.class);

    assertThat(decodes).hasValue(2);
  }
}
