package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r5.model.CanonicalResource;
import org.hl7.fhir.r5.model.CodeSystem;
import org.hl7.fhir.r5.model.Resource;
import org.junit.jupiter.api.Test;

class CatalogWorkerContextTest {

  @Test
  void fetchResourcesByType_codeSystem_listsCoreCodeSystemsWithIdentifiers() {
    FhirContext fhir = FhirContext.forR4Cached();
    CatalogWorkerContext context =
        new CatalogWorkerContext(
            new ValidationSupportChain(new DefaultProfileValidationSupport(fhir)));

    List<CodeSystem> codeSystems = context.fetchResourcesByType(CodeSystem.class);

    assertThat(codeSystems).hasSizeGreaterThan(500);
    assertThat(codeSystems)
        .anySatisfy(
            cs -> {
              assertThat(cs.getUrl()).isEqualTo("http://hl7.org/fhir/publication-status");
              assertThat(cs.getIdentifier()).isNotEmpty();
            });
    assertThat(context.fetchResourcesByType(CodeSystem.class)).isSameAs(codeSystems);
  }

  @Test
  void fetchResourcesByType_abstractType_emptyInsteadOfThrowing() {
    FhirContext fhir = FhirContext.forR4Cached();
    CatalogWorkerContext context =
        new CatalogWorkerContext(
            new ValidationSupportChain(new DefaultProfileValidationSupport(fhir)));
    assertThat(context.fetchResourcesByType(CanonicalResource.class)).isEmpty();
    assertThat(context.fetchResourcesByType(Resource.class)).isEmpty();
  }
}
