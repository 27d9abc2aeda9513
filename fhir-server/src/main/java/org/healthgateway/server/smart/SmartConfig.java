package org.healthgateway.server.smart;

import ca.uhn.fhir.rest.server.RestfulServer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * SMART discovery ({@code /fhir/.well-known/smart-configuration} and the CapabilityStatement's
 * security section) and the launch contexts.
 */
@Configuration
public class SmartConfig {

  @Bean
  SmartEndpoints smartEndpoints(SmartProperties smart) {
    return smart.embedded()
        ? SmartEndpoints.embedded(smart.issuer())
        : SmartEndpoints.external(smart.external());
  }

  @Bean
  LaunchContexts launchContexts() {
    return new LaunchContexts();
  }

  @Bean
  ServletRegistrationBean<SmartConfigurationServlet> smartConfigurationServlet(
      SmartEndpoints endpoints, ServletRegistrationBean<? extends RestfulServer> fhirServlet) {
    // HAPI's interceptor service exists from construction; HAPI calls it once the servlet starts.
    // The FHIR servlet by its HAPI type, so that smart needs nothing of config (which wires it).
    fhirServlet.getServlet().registerInterceptor(new SmartCapabilityInterceptor(endpoints));
    return new ServletRegistrationBean<>(
        new SmartConfigurationServlet(endpoints), SmartConfigurationServlet.PATH);
  }
}
