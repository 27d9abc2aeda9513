package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.rest.server.util.ResourceSearchParams;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The search parameters of the context's resource definitions, for HAPI's CapabilityStatement
 * provider. Without a registry it derives them from the method bindings, rebuilding the map of
 * every binding of every provider once per resource type (146 x all bindings: seconds on the first
 * {@code metadata} call); {@link CapabilityInterceptor} then replaces them anyway with what the
 * search engine evaluates. Reference parameters are left out: HAPI would list an {@code _include}
 * and {@code _revinclude} for each, where the statement keeps what the providers declare.
 */
final class ContextSearchParams implements ISearchParamRegistry {
  private final FhirContext fhir;
  private final Map<String, ResourceSearchParams> byType = new ConcurrentHashMap<>();

  ContextSearchParams(FhirContext fhir) {
    this.fhir = fhir;
  }

  @Override
  public ResourceSearchParams getActiveSearchParams(
      String resourceName, SearchParamLookupContextEnum context) {
    return byType.computeIfAbsent(resourceName, this::load);
  }

  @Override
  public RuntimeSearchParam getActiveSearchParam(
      String resourceName, String paramName, SearchParamLookupContextEnum context) {
    return getActiveSearchParams(resourceName, context).get(paramName);
  }

  @Override
  public RuntimeSearchParam getActiveSearchParamByUrl(
      String url, SearchParamLookupContextEnum context) {
    return null;
  }

  private ResourceSearchParams load(String resourceName) {
    ResourceSearchParams params = new ResourceSearchParams(resourceName);
    for (RuntimeSearchParam param : fhir.getResourceDefinition(resourceName).getSearchParams()) {
      if (param.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
        params.put(param.getName(), param);
      }
    }
    return params.readOnly();
  }
}
