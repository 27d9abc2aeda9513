package org.healthgateway.server.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code gateway.cors.*}.
 *
 * @param allowedOrigins browser origins ({@code https://app.example.org}) allowed to call the FHIR
 *     API, discovery, the token endpoint and userinfo; {@code *} allows any origin. Empty (the
 *     default): the origins of the registered apps' redirect URIs
 */
@ConfigurationProperties(prefix = "gateway.cors")
public record CorsProperties(List<String> allowedOrigins) {
  public CorsProperties {
    allowedOrigins =
        allowedOrigins == null
            ? List.of()
            : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
  }
}
