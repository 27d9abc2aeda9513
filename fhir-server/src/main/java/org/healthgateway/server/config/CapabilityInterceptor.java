package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.EnumSet;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

/**
 * Makes the generated CapabilityStatement say exactly what works: the search parameters the
 * in-memory matcher evaluates (token, string, date, reference, uri, from HAPI's definitions),
 * conditional create but not conditional update or delete, versioned reads.
 */
@Interceptor
public final class CapabilityInterceptor {
  private static final Set<RestSearchParameterTypeEnum> SUPPORTED =
      EnumSet.of(
          RestSearchParameterTypeEnum.TOKEN,
          RestSearchParameterTypeEnum.STRING,
          RestSearchParameterTypeEnum.DATE,
          RestSearchParameterTypeEnum.REFERENCE,
          RestSearchParameterTypeEnum.URI);

  /** Parameters of supported types that the matcher still refuses (see search/). */
  private static final Set<String> UNSUPPORTED_NAMES =
      Set.of("_security", "_source", "_text", "_content", "_list", "_filter", "_type", "_has");

  private final FhirContext fhir;

  public CapabilityInterceptor(FhirContext fhir) {
    this.fhir = fhir;
  }

  @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
  public void describe(IBaseConformance conformance) {
    CapabilityStatement statement = (CapabilityStatement) conformance;
    statement.setName("HealthRecordGateway");
    statement.getSoftware().setName("Health-record gateway");
    for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
      rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
      for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
        describe(resource);
      }
    }
  }

  private void describe(CapabilityStatementRestResourceComponent resource) {
    resource.setConditionalCreate(true);
    resource.setConditionalUpdate(false);
    resource.setConditionalDelete(CapabilityStatement.ConditionalDeleteStatus.NOTSUPPORTED);
    resource.setReadHistory(true);
    resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
    resource.getSearchParam().clear();
    for (RuntimeSearchParam param :
        fhir.getResourceDefinition(resource.getType()).getSearchParams()) {
      if (SUPPORTED.contains(param.getParamType())
          && !UNSUPPORTED_NAMES.contains(param.getName())) {
        resource
            .addSearchParam()
            .setName(param.getName())
            .setType(SearchParamType.fromCode(param.getParamType().getCode()))
            .setDocumentation(param.getDescription());
      }
    }
  }
}
