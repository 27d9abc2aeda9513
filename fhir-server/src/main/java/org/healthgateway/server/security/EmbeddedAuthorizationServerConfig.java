package org.healthgateway.server.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.properties.GatewayProperties;
import org.healthgateway.server.smart.ConsentController;
import org.healthgateway.server.smart.LaunchContexts;
import org.healthgateway.server.smart.SmartProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.DelegatingOAuth2TokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2RefreshTokenGenerator;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The embedded SMART authorization server (Spring Authorization Server): authorization code with
 * PKCE (S256 only) and consent, client credentials with client secrets or {@code private_key_jwt},
 * refresh tokens for {@code offline_access}, OpenID Connect; and the login form of the demo users.
 * Off when {@code gateway.smart.external.issuer} is set.
 */
@Configuration
@ConditionalOnExpression(SmartProperties.EMBEDDED)
public class EmbeddedAuthorizationServerConfig {
  private static final PathPatternRequestMatcher.Builder PATH_PATTERN =
      PathPatternRequestMatcher.withDefaults();

  @Bean
  @Order(1)
  SecurityFilterChain authorizationServerChain(
      HttpSecurity http, SmartRequestRules rules, CorsPolicy cors) throws Exception {
    OAuth2AuthorizationServerConfigurer authorizationServer =
        OAuth2AuthorizationServerConfigurer.authorizationServer();
    ClientAssertionDecoders assertionDecoders = new ClientAssertionDecoders();
    http.securityMatcher(authorizationServer.getEndpointsMatcher())
        .with(
            authorizationServer,
            as ->
                as.authorizationEndpoint(
                        endpoint ->
                            endpoint
                                .consentPage(ConsentController.PATH)
                                .authenticationProviders(
                                    providers ->
                                        providers.forEach(provider -> configure(provider, rules))))
                    .tokenEndpoint(
                        endpoint ->
                            endpoint
                                .authenticationProviders(
                                    providers ->
                                        providers.forEach(provider -> configure(provider, rules)))
                                .accessTokenResponseHandler(tokenResponseHandler()))
                    .clientAuthentication(
                        clients ->
                            clients
                                .authenticationConverter(new ClientAssertionConverter())
                                .authenticationProviders(
                                    providers ->
                                        providers.forEach(
                                            provider -> {
                                              if (provider
                                                  instanceof
                                                  JwtClientAssertionAuthenticationProvider jwt) {
                                                jwt.setJwtDecoderFactory(assertionDecoders);
                                              }
                                            })))
                    .oidc(Customizer.withDefaults()))
        .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
        .exceptionHandling(
            e ->
                e.defaultAuthenticationEntryPointFor(
                    new LoginUrlAuthenticationEntryPoint("/login"),
                    PATH_PATTERN.matcher("/oauth2/authorize")))
        .oauth2ResourceServer(resource -> resource.jwt(Customizer.withDefaults()))
        .addFilter(cors.filter())
        .csrf(csrf -> csrf.ignoringRequestMatchers(authorizationServer.getEndpointsMatcher()));
    return http.build();
  }

  private static void configure(Object provider, SmartRequestRules rules) {
    if (provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider code) {
      code.setAuthenticationValidator(rules::validateAuthorizationRequest);
      // SMART: the user sees the scopes (and picks the patient) at every authorization.
      code.setAuthorizationConsentRequired(
          context ->
              context.getRegisteredClient().getClientSettings().isRequireAuthorizationConsent());
    } else if (provider instanceof OAuth2AuthorizationConsentAuthenticationProvider consent) {
      consent.setAuthorizationConsentCustomizer(rules::bindLaunchContext);
    } else if (provider instanceof OAuth2ClientCredentialsAuthenticationProvider credentials) {
      credentials.setAuthenticationValidator(rules::validateClientCredentials);
    }
  }

  private static org.springframework.security.web.authentication.AuthenticationSuccessHandler
      tokenResponseHandler() {
    var handler =
        new org.springframework.security.oauth2.server.authorization.web.authentication
            .OAuth2AccessTokenResponseAuthenticationSuccessHandler();
    handler.setAccessTokenResponseCustomizer(SmartTokenCustomizer.tokenResponse());
    return handler;
  }

  /**
   * Login form and consent screen of the demo users (browser session, CSRF-protected). CORS
   * preflights of the token, userinfo, JWKS and discovery endpoints land here too, since the
   * authorization server's chain matches those endpoints only for their GET or POST.
   */
  @Bean
  @Order(3)
  SecurityFilterChain loginChain(HttpSecurity http, CorsPolicy cors) throws Exception {
    http.addFilter(cors.filter())
        .authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers(PATH_PATTERN.matcher("/error"))
                    .permitAll()
                    // The subscription websocket authenticates its bind with a bearer token.
                    .requestMatchers(PATH_PATTERN.matcher("/ws/subscriptions"))
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .formLogin(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  SmartRequestRules smartRequestRules(
      SmartProperties smart, DemoUsers users, LaunchContexts launches, ResourceService service) {
    return new SmartRequestRules(smart.fhirBaseUrl(), users, launches, service);
  }

  @Bean
  DemoUsers demoUsers(GatewayProperties properties) {
    return DemoUsers.loadOrCreate(
        properties.secretsDir(), properties.demo(), properties.node().id());
  }

  @Bean
  UserDetailsService userDetailsService(DemoUsers users, PasswordEncoder encoder) {
    return users.userDetails(encoder);
  }

  @Bean
  RegisteredApps registeredApps(
      DemoClients clients,
      GatewayProperties properties,
      SmartProperties smart,
      PasswordEncoder encoder) {
    List<RegisteredClient> registered = new ArrayList<>(clients.registeredClients(encoder));
    registered.addAll(
        DemoApps.loadOrCreate(properties.secretsDir(), properties.demo())
            .registeredClients(encoder, smart.demoRedirectUris()));
    registered.addAll(BackendClients.load(properties.secretsDir()));
    return new RegisteredApps(registered);
  }

  @Bean
  RegisteredClientRepository registeredClients(RegisteredApps apps) {
    return new InMemoryRegisteredClientRepository(apps.clients());
  }

  @Bean
  OAuth2AuthorizationService authorizationService(RegisteredClientRepository clients) {
    return new InMemoryOAuth2AuthorizationService();
  }

  /**
   * Consents are not remembered: the user sees and decides the scopes at every authorization
   * (SMART), and Spring Authorization Server adds the scopes of a remembered consent to what the
   * user posts, so that an unticked scope or a Deny would still grant what was allowed before. With
   * nothing remembered the token carries exactly the ticked scopes, and Deny (no scope posted) is
   * {@code access_denied}.
   */
  @Bean
  OAuth2AuthorizationConsentService authorizationConsentService() {
    return new OAuth2AuthorizationConsentService() {
      @Override
      public void save(OAuth2AuthorizationConsent authorizationConsent) {}

      @Override
      public void remove(OAuth2AuthorizationConsent authorizationConsent) {}

      @Override
      public OAuth2AuthorizationConsent findById(String registeredClientId, String principalName) {
        return null;
      }
    };
  }

  @Bean
  JWKSource<SecurityContext> tokenSigningKeys(TokenSigningKey key) {
    return new ImmutableJWKSet<>(new JWKSet(key.get()));
  }

  /**
   * JWT access and ID tokens with the SMART claims; refresh tokens only for {@code offline_access}
   * or {@code online_access}.
   */
  @Bean
  OAuth2TokenGenerator<?> tokenGenerator(
      JWKSource<SecurityContext> keys,
      SmartProperties smart,
      DemoUsers users,
      LaunchContexts launches) {
    JwtGenerator jwt = new JwtGenerator(new NimbusJwtEncoder(keys));
    jwt.setJwtCustomizer(new SmartTokenCustomizer(smart.fhirBaseUrl(), users, launches));
    OAuth2RefreshTokenGenerator refresh = new OAuth2RefreshTokenGenerator();
    OAuth2TokenGenerator<OAuth2RefreshToken> offlineOnly =
        context ->
            context.getAuthorizedScopes().contains("offline_access")
                    || context.getAuthorizedScopes().contains("online_access")
                ? refresh.generate(context)
                : null;
    return new DelegatingOAuth2TokenGenerator(jwt, offlineOnly);
  }

  @Bean
  AuthorizationServerSettings authorizationServerSettings(SmartProperties smart) {
    return AuthorizationServerSettings.builder().issuer(smart.issuer()).build();
  }
}
