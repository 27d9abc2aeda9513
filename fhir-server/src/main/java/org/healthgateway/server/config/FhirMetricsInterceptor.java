package org.healthgateway.server.config;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Times every FHIR interaction: {@code gateway.fhir.requests{interaction,type,outcome}}. */
@Interceptor
public final class FhirMetricsInterceptor {
  private static final String START = FhirMetricsInterceptor.class.getName() + ".start";
  private final MeterRegistry meters;

  public FhirMetricsInterceptor(MeterRegistry meters) {
    this.meters = meters;
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
  public boolean start(HttpServletRequest request, HttpServletResponse response) {
    request.setAttribute(START, System.nanoTime());
    return true;
  }

  @Hook(Pointcut.SERVER_PROCESSING_COMPLETED_NORMALLY)
  public void completed(RequestDetails request) {
    record(request, "success");
  }

  @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
  public boolean failed(RequestDetails request, BaseServerResponseException e) {
    record(request, Integer.toString(e.getStatusCode()));
    return true;
  }

  private void record(RequestDetails request, String outcome) {
    Object start = servletStart(request);
    if (!(start instanceof Long startNanos)) {
      return;
    }
    String interaction =
        request.getRestOperationType() == null
            ? "unknown"
            : request.getRestOperationType().getCode();
    String type = request.getResourceName() == null ? "system" : request.getResourceName();
    Timer.builder("gateway.fhir.requests")
        .tag("interaction", interaction)
        .tag("type", type)
        .tag("outcome", outcome)
        .register(meters)
        .record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private static Object servletStart(RequestDetails request) {
    if (request instanceof ca.uhn.fhir.rest.server.servlet.ServletRequestDetails servlet) {
      return servlet.getServletRequest().getAttribute(START);
    }
    return null;
  }
}
