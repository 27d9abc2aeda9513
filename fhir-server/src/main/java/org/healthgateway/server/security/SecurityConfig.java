package org.healthgateway.server.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.healthgateway.server.properties.GatewayProperties;
import org.healthgateway.server.smart.SmartProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * The resource-server chain that protects {@code /fhir}, {@code /smart} and the actuator: every
 * call but the CapabilityStatement and the SMART configuration needs a bearer token whose
 * signature, issuer, audience (the FHIR base URL) and expiry check out, and every refusal is an
 * OperationOutcome. Tokens come from the embedded authorization server ({@link
 * EmbeddedAuthorizationServerConfig}) or from an external OpenID Connect provider ({@code
 * gateway.smart.external.*}).
 */
@Configuration
public class SecurityConfig {
  private static final Logger LOG = LoggerFactory.getLogger(SecurityConfig.class);
  private static final PathPatternRequestMatcher.Builder PATH_PATTERN =
      PathPatternRequestMatcher.withDefaults();
  private static final Duration HSTS_MAX_AGE = Duration.ofDays(365);

  @Bean
  @Order(2)
  SecurityFilterChain fhirChain(HttpSecurity http, CorsPolicy cors) throws Exception {
    // The FHIR servlet is not Spring MVC's: match on the raw path, not on MVC mappings.
    http.securityMatcher(
            new OrRequestMatcher(
                PATH_PATTERN.matcher("/fhir/**"),
                PATH_PATTERN.matcher("/actuator/**"),
                PATH_PATTERN.matcher("/smart/**"),
                PATH_PATTERN.matcher("/livez"),
                PATH_PATTERN.matcher("/readyz")))
        .authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers(PATH_PATTERN.matcher(HttpMethod.OPTIONS, "/fhir/**"))
                    .permitAll()
                    .requestMatchers(
                        PATH_PATTERN.matcher(HttpMethod.GET, "/fhir/metadata"),
                        PATH_PATTERN.matcher(HttpMethod.HEAD, "/fhir/metadata"))
                    .permitAll()
                    .requestMatchers(PATH_PATTERN.matcher(HttpMethod.GET, "/fhir/.well-known/**"))
                    .permitAll()
                    // Served on the management port only (loopback by default), and the probes.
                    .requestMatchers(
                        PATH_PATTERN.matcher("/actuator/health/**"),
                        PATH_PATTERN.matcher("/actuator/prometheus"),
                        PATH_PATTERN.matcher(HttpMethod.GET, "/livez"),
                        PATH_PATTERN.matcher(HttpMethod.GET, "/readyz"))
                    .permitAll()
                    // The chain's membership (management port): the operator of this machine
                    // only, even when the management port listens on another interface.
                    .requestMatchers(PATH_PATTERN.matcher("/actuator/members/**"))
                    .access(
                        (authentication, context) ->
                            new org.springframework.security.authorization.AuthorizationDecision(
                                isLoopback(context.getRequest().getRemoteAddr())))
                    .anyRequest()
                    .authenticated())
        .oauth2ResourceServer(
            resource ->
                resource
                    .jwt(Customizer.withDefaults())
                    .authenticationEntryPoint(fhirAuthenticationEntryPoint())
                    .accessDeniedHandler(fhirAccessDeniedHandler()))
        .exceptionHandling(e -> e.authenticationEntryPoint(fhirAuthenticationEntryPoint()))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .headers(headers -> headers.httpStrictTransportSecurity(SecurityConfig::hsts))
        .addFilter(cors.filter())
        .csrf(csrf -> csrf.disable());
    return http.build();
  }

  private static boolean isLoopback(String address) {
    // The servlet's remote address is an IP literal: getByName parses it, no name look-up.
    try {
      return address != null && java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * HSTS (RFC 6797) for a year, subdomains included, on answers to secure requests only: over TLS,
   * or from a trusted reverse proxy that sent {@code X-Forwarded-Proto: https}. Never on plain
   * HTTP, where a browser must ignore it.
   */
  private static void hsts(HeadersConfigurer<HttpSecurity>.HstsConfig hsts) {
    hsts.requestMatcher(HttpServletRequest::isSecure)
        .maxAgeInSeconds(HSTS_MAX_AGE.toSeconds())
        .includeSubDomains(true);
  }

  private static AuthenticationEntryPoint fhirAuthenticationEntryPoint() {
    BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    return (request, response, exception) -> {
      bearer.commence(request, response, exception);
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_UNAUTHORIZED,
          "login",
          "Authentication required: a valid bearer token is needed");
    };
  }

  private static AccessDeniedHandler fhirAccessDeniedHandler() {
    return (request, response, exception) ->
        OperationOutcomes.write(
            response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "Access denied");
  }

  /**
   * Browser apps (SMART apps) call the FHIR API, discovery, token endpoint and userinfo from their
   * own origin: the configured {@code gateway.cors.allowed-origins}, by default the origins of the
   * registered apps' redirect URIs (none with an external provider).
   */
  @Bean
  CorsPolicy corsPolicy(CorsProperties properties, ObjectProvider<RegisteredApps> apps) {
    Collection<String> origins =
        properties.allowedOrigins().isEmpty()
            ? apps.stream().flatMap(a -> a.redirectOrigins().stream()).distinct().toList()
            : properties.allowedOrigins();
    LOG.info("CORS: browser apps from {} may call the FHIR API", origins);
    return new CorsPolicy(origins);
  }

  /** Client secrets are random 256-bit values, so a low bcrypt cost keeps token calls fast. */
  @Bean
  PasswordEncoder passwordEncoder() {
    return new BCryptPasswordEncoder(6);
  }

  /**
   * Access tokens: signed (RS256 by the node's token key, or any of the external provider's JWKS),
   * issued by the configured issuer, for the FHIR base URL, with an expiry in the future.
   */
  @Bean
  JwtDecoder jwtDecoder(SmartProperties smart, TokenSigningKey key) {
    NimbusJwtDecoder decoder;
    if (smart.embedded()) {
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(
              JWSAlgorithm.RS256, new ImmutableJWKSet<>(new JWKSet(key.get().toPublicJWK()))));
      decoder = new NimbusJwtDecoder(processor);
    } else if (smart.external().jwksUri() != null && !smart.external().jwksUri().isBlank()) {
      decoder =
          NimbusJwtDecoder.withJwkSetUri(smart.external().jwksUri())
              .jwsAlgorithms(
                  algorithms ->
                      algorithms.addAll(
                          List.of(
                              org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.RS256,
                              org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.RS384,
                              org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.PS256,
                              org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.ES256,
                              org.springframework.security.oauth2.jose.jws.SignatureAlgorithm
                                  .ES384)))
              .build();
    } else {
      decoder = NimbusJwtDecoder.withIssuerLocation(smart.tokenIssuer()).build();
    }
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<>(
            JwtValidators.createDefaultWithIssuer(smart.tokenIssuer()),
            new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull),
            new JwtClaimValidator<Object>(
                JwtClaimNames.AUD, aud -> audienceContains(aud, smart.fhirBaseUrl()))));
    return new CachingJwtDecoder(decoder, 10_000, Duration.ofMinutes(1), Instant::now);
  }

  private static boolean audienceContains(Object aud, String expected) {
    if (aud instanceof Collection<?> list) {
      return list.stream().anyMatch(a -> expected.equals(String.valueOf(a)));
    }
    return expected.equals(aud);
  }

  /** The methods {@code StrictHttpFirewall} lets through; it rejects TRACE and unknown ones. */
  private static final Set<String> FIREWALL_METHODS =
      Set.of("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT");

  /**
   * Spring Security's firewall (with {@link HeaderRules}); a request it rejects ({@code /../},
   * {@code //}, {@code ;}, encoded {@code .} or {@code %}, control characters in headers) is 400
   * with an OperationOutcome instead of Spring Boot's JSON error page, a method it does not let
   * through (TRACE, unknown ones) 405. The answer does not repeat the rejected part: it may be a
   * header value such as a token.
   */
  @Bean
  WebSecurityCustomizer headerRules() {
    return web ->
        web.httpFirewall(HeaderRules.firewall()).requestRejectedHandler(firewallRejection());
  }

  private static RequestRejectedHandler firewallRejection() {
    return (request, response, rejected) -> {
      // Not the exception's message: it quotes the rejected URL part or header value.
      LOG.debug("Request rejected by the firewall");
      if (!FIREWALL_METHODS.contains(request.getMethod())) {
        response.setHeader("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
        OperationOutcomes.write(
            response,
            HttpServletResponse.SC_METHOD_NOT_ALLOWED,
            "not-supported",
            "HTTP method not allowed");
        return;
      }
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "invalid",
          "The request was rejected: its URL or headers contain a sequence this server does not"
              + " accept ('..', '//', ';', an encoded '.', '/', '\\' or '%', or a control"
              + " character)");
    };
  }

  @Bean
  DemoClients demoClients(GatewayProperties properties) {
    return DemoClients.loadOrCreate(
        properties.secretsDir(), properties.demo(), properties.node().id());
  }
}
