package org.healthgateway.server.config;

import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Replaces Tomcat's HTML error report with {@link OutcomeErrorReportValve}: Spring Boot adds a
 * plain {@code ErrorReportValve} to the host; it is removed, and the host is told to add ours.
 */
@Configuration
public class TomcatErrorPages
    implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(
        context -> {
          StandardHost host = (StandardHost) context.getParent();
          for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof OutcomeErrorReportValve)) {
              host.getPipeline().removeValve(valve);
            }
          }
          host.setErrorReportValveClass(OutcomeErrorReportValve.class.getName());
        });
  }

  /** After Spring Boot's own Tomcat customizer, whose context customizer adds its valve. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
