package org.healthgateway.server.fhir;

import org.healthgateway.keys.identity.Identities;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ValueSet;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Publishes the data categories practitioners ask for as {@code CodeSystem/data-category} and
 * {@code ValueSet/data-category} (public directory resources, signed by the node), on first start
 * and whenever the mapping changes.
 */
@Component
public class CategoryTerminology implements SmartInitializingSingleton {
  private final ResourceService service;
  private final String node;

  public CategoryTerminology(ResourceService service, Identities identities) {
    this.service = service;
    this.node = identities.node();
  }

  @Override
  public void afterSingletonsInstantiated() {
    CodeSystem codeSystem = DataCategories.codeSystem();
    ValueSet valueSet = DataCategories.valueSet();
    publish("CodeSystem", codeSystem);
    publish("ValueSet", valueSet);
  }

  private void publish(String type, org.hl7.fhir.r4.model.MetadataResource resource) {
    resource.setId(type + "/data-category");
    boolean same =
        service
            .current(type, "data-category")
            .filter(meta -> !meta.deleted())
            .map(meta -> service.open(meta, node))
            .map(
                existing ->
                    ((org.hl7.fhir.r4.model.Resource) existing)
                        .equalsDeep(withMetaOf(resource, existing)))
            .orElse(false);
    if (!same) {
      service.update(new IdType(type, "data-category"), resource.copy(), node);
    }
  }

  private static org.hl7.fhir.r4.model.Resource withMetaOf(
      org.hl7.fhir.r4.model.MetadataResource candidate,
      org.hl7.fhir.instance.model.api.IBaseResource existing) {
    org.hl7.fhir.r4.model.Resource copy = candidate.copy();
    copy.setMeta(((org.hl7.fhir.r4.model.Resource) existing).getMeta());
    copy.setId(existing.getIdElement());
    return copy;
  }
}
