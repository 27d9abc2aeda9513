package org.healthgateway.server.apps;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.healthgateway.server.smart.SmartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The patient and practitioner web apps, static files built from {@code src/main/web} into {@code
 * static/apps/}: served to anyone (they hold no data; every FHIR call carries the user's token),
 * with a Content-Security-Policy that lets their scripts come only from this origin and talk only
 * to this origin, the FHIR server and the authorization server. {@code /apps/config.json} tells
 * them the FHIR base URL and their client ids; a launch with {@code ?iss=} overrides the base URL.
 */
@Configuration
public class AppsConfig implements WebMvcConfigurer {
  private static final PathPatternRequestMatcher.Builder PATH_PATTERN =
      PathPatternRequestMatcher.withDefaults();
  private static final String[] APPS = {"patient", "practitioner"};

  @Bean
  @Order(0)
  SecurityFilterChain appsChain(HttpSecurity http, SmartProperties smart) throws Exception {
    http.securityMatcher(PATH_PATTERN.matcher("/apps/**"))
        .authorizeHttpRequests(
            authorize ->
                authorize
                    .requestMatchers(
                        PATH_PATTERN.matcher(HttpMethod.GET, "/apps/**"),
                        PATH_PATTERN.matcher(HttpMethod.HEAD, "/apps/**"))
                    .permitAll()
                    .anyRequest()
                    .denyAll())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .headers(
            headers ->
                headers
                    .contentSecurityPolicy(
                        csp -> csp.policyDirectives(contentSecurityPolicy(smart)))
                    .cacheControl(cache -> cache.disable()));
    return http.build();
  }

  /** Scripts, styles and images from this origin only; FHIR, OAuth and websocket calls allowed. */
  static String contentSecurityPolicy(SmartProperties smart) {
    Set<String> connect = new TreeSet<>();
    connect.add("'self'");
    for (String url : new String[] {smart.fhirBaseUrl(), smart.issuer()}) {
      String origin = origin(url);
      connect.add(origin);
      connect.add(origin.replaceFirst("^http", "ws"));
    }
    String tokenEndpoint = smart.external().tokenEndpoint();
    if (tokenEndpoint != null && !tokenEndpoint.isBlank()) {
      connect.add(origin(tokenEndpoint));
    }
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        + " connect-src "
        + String.join(" ", connect)
        + "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
  }

  private static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme().toLowerCase(Locale.ROOT)
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    for (String app : APPS) {
      registry.addRedirectViewController("/apps/" + app, "/apps/" + app + "/");
      registry
          .addViewController("/apps/" + app + "/")
          .setViewName("forward:/apps/" + app + "/index.html");
    }
  }

  /** What the apps need to know before they sign in. */
  @RestController
  static class AppsConfigController {
    private final SmartProperties smart;
    private final AppsProperties apps;

    AppsConfigController(SmartProperties smart, AppsProperties apps) {
      this.smart = smart;
      this.apps = apps;
    }

    @GetMapping(value = "/apps/config.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, String>> config() {
      Map<String, String> config = new LinkedHashMap<>();
      config.put("fhirBaseUrl", smart.fhirBaseUrl());
      config.put("patientClientId", apps.patientClientId());
      config.put("practitionerClientId", apps.practitionerClientId());
      return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(config);
    }
  }
}
