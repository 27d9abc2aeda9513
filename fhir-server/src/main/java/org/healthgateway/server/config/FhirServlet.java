package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.server.consent.KeyReleaseService;
import org.healthgateway.server.fhir.ConsentResourceProvider;
import org.healthgateway.server.fhir.GenericResourceProvider;
import org.healthgateway.server.fhir.KeyRegistrationProvider;
import org.healthgateway.server.fhir.LedgerOperations;
import org.healthgateway.server.fhir.PatientResourceProvider;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.fhir.TransactionProvider;

/** HAPI's plain server with one generic provider per R4 resource type. */
public final class FhirServlet extends RestfulServer {
  private final transient ResourceService service;
  private final transient LedgerOperations ledgerOperations;
  private final transient TransactionProvider transactions;
  private final transient List<Object> interceptors;
  private final transient KeyReleaseService releases;
  private final transient KeyRegistrationProvider keyRegistration;

  public FhirServlet(
      FhirContext fhir,
      ResourceService service,
      LedgerOperations ledgerOperations,
      TransactionProvider transactions,
      KeyReleaseService releases,
      KeyRegistrationProvider keyRegistration,
      List<Object> interceptors) {
    super(fhir);
    this.service = service;
    this.ledgerOperations = ledgerOperations;
    this.transactions = transactions;
    this.interceptors = interceptors;
    this.releases = releases;
    this.keyRegistration = keyRegistration;
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
      } else if (name.equals("Consent")) {
        providers.add(new ConsentResourceProvider(service, ledgerOperations, releases));
      } else {
        providers.add(
            new GenericResourceProvider(def.getImplementingClass(), service, ledgerOperations));
      }
    }
    setResourceProviders(providers);
    setPlainProviders(List.of(transactions, ledgerOperations, keyRegistration));
    interceptors.forEach(this::registerInterceptor);
  }
}
