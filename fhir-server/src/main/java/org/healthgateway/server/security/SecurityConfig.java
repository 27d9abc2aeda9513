package org.healthgateway.server.security;

import static org.springframework.security.web.util.matcher.AntPathRequestMatcher.antMatcher;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.healthgateway.server.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * The embedded OAuth2 authorization server (Spring Authorization Server) and the resource-server
 * chain that protects {@code /fhir}: every FHIR call but the CapabilityStatement needs a bearer
 * token, and every refusal is an OperationOutcome.
 */
@Configuration
public class SecurityConfig {

  @Bean
  @Order(1)
  SecurityFilterChain authorizationServerChain(HttpSecurity http) throws Exception {
    OAuth2AuthorizationServerConfigurer authorizationServer =
        OAuth2AuthorizationServerConfigurer.authorizationServer();
    http.securityMatcher(authorizationServer.getEndpointsMatcher())
        .with(authorizationServer, as -> as.oidc(Customizer.withDefaults()))
        .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
        .csrf(csrf -> csrf.ignoringRequestMatchers(authorizationServer.getEndpointsMatcher()));
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain fhirChain(HttpSecurity http) throws Exception {
    // The FHIR servlet is not Spring MVC's: match on the raw path, not on MVC mappings.
    http.securityMatcher(new OrRequestMatcher(antMatcher("/fhir/**"), antMatcher("/actuator/**")))
        .authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers(antMatcher(HttpMethod.GET, "/fhir/metadata"))
                    .permitAll()
                    .requestMatchers(antMatcher(HttpMethod.GET, "/fhir/.well-known/**"))
                    .permitAll()
                    .requestMatchers(
                        antMatcher("/actuator/health/**"), antMatcher("/actuator/prometheus"))
                    .permitAll()
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
        .csrf(csrf -> csrf.disable());
    return http.build();
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

  @Bean
  RegisteredClientRepository registeredClients(DemoClients clients, PasswordEncoder encoder) {
    List<RegisteredClient> registered = clients.registeredClients(encoder);
    return new InMemoryRegisteredClientRepository(registered);
  }

  /** Client secrets are random 256-bit values, so a low bcrypt cost keeps token calls fast. */
  @Bean
  PasswordEncoder passwordEncoder() {
    return new BCryptPasswordEncoder(6);
  }

  @Bean
  JWKSource<SecurityContext> tokenSigningKeys(TokenSigningKey key) {
    RSAKey rsa = key.get();
    return new ImmutableJWKSet<>(new JWKSet(rsa));
  }

  @Bean
  JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
    return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
  }

  @Bean
  AuthorizationServerSettings authorizationServerSettings() {
    return AuthorizationServerSettings.builder().build();
  }

  /** Puts the client's FHIR user into its access tokens (SMART's {@code fhirUser}). */
  @Bean
  OAuth2TokenCustomizer<JwtEncodingContext> fhirUserClaim() {
    return context -> {
      Object fhirUser =
          context.getRegisteredClient().getClientSettings().getSetting(Requester.FHIR_USER_CLAIM);
      if (fhirUser != null) {
        context.getClaims().claim(Requester.FHIR_USER_CLAIM, fhirUser);
      }
    };
  }

  @Bean
  DemoClients demoClients(GatewayProperties properties) {
    return DemoClients.loadOrCreate(properties.secretsDir(), properties.demo());
  }
}
