package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ServerCapabilityStatementProvider;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.healthgateway.server.consent.KeyReleaseService;
import org.healthgateway.server.fhir.ConsentResourceProvider;
import org.healthgateway.server.fhir.GenericResourceProvider;
import org.healthgateway.server.fhir.KeyRegistrationProvider;
import org.healthgateway.server.fhir.LedgerOperations;
import org.healthgateway.server.fhir.PatientResourceProvider;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.fhir.TransactionProvider;
import org.healthgateway.server.security.OperationOutcomes;

/** HAPI's plain server with one generic provider per R4 resource type. */
public final class FhirServlet extends RestfulServer {
  private final transient ResourceService service;
  private final transient LedgerOperations ledgerOperations;
  private final transient TransactionProvider transactions;
  private final transient List<Object> interceptors;
  private final transient KeyReleaseService releases;
  private final transient KeyRegistrationProvider keyRegistration;
  private final transient IResourceProvider auditEvents;

  public FhirServlet(
      FhirContext fhir,
      ResourceService service,
      LedgerOperations ledgerOperations,
      TransactionProvider transactions,
      KeyReleaseService releases,
      KeyRegistrationProvider keyRegistration,
      IResourceProvider auditEvents,
      List<Object> interceptors) {
    super(fhir);
    this.service = service;
    this.ledgerOperations = ledgerOperations;
    this.transactions = transactions;
    this.interceptors = interceptors;
    this.releases = releases;
    this.keyRegistration = keyRegistration;
    this.auditEvents = auditEvents;
  }

  /** The HTTP methods of the FHIR REST API that this server implements. */
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");

  /**
   * HEAD is answered as GET without a body (HAPI has no HEAD bindings and answered 400). Any other
   * method (PATCH, which no provider implements, or an unknown one) is 405 with an {@code Allow}
   * header and an OperationOutcome; HAPI answered 400, some without a body.
   */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    if (request.getMethod().equals("HEAD")) {
      doHead(request, response);
      return;
    }
    if (!METHODS.contains(request.getMethod())) {
      response.setHeader("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_METHOD_NOT_ALLOWED,
          "not-supported",
          "HTTP method not supported here: " + request.getMethod().replaceAll("[^A-Za-z-]", "?"));
      return;
    }
    super.service(request, response);
  }

  @Override
  protected void initialize() {
    setDefaultResponseEncoding(EncodingEnum.JSON);
    FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(1000);
    paging.setDefaultPageSize(50);
    paging.setMaximumPageSize(1000);
    setPagingProvider(paging);
    List<IResourceProvider> providers = new ArrayList<>();
    for (String name : getFhirContext().getResourceTypes()) {
      RuntimeResourceDefinition def = getFhirContext().getResourceDefinition(name);
      if (name.equals("Patient")) {
        providers.add(new PatientResourceProvider(service, ledgerOperations));
      } else if (name.equals("AuditEvent")) {
        providers.add(auditEvents);
      } else if (name.equals("Consent")) {
        providers.add(new ConsentResourceProvider(service, ledgerOperations, releases));
      } else {
        providers.add(
            new GenericResourceProvider(def.getImplementingClass(), service, ledgerOperations));
      }
    }
    setResourceProviders(providers);
    setServerConformanceProvider(
        new ServerCapabilityStatementProvider(
            this, new ContextSearchParams(getFhirContext()), null));
    registerProviders(List.of(transactions, ledgerOperations, keyRegistration));
    interceptors.forEach(this::registerInterceptor);
  }
}
