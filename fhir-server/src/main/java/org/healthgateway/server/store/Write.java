package org.healthgateway.server.store;

import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * One resource version to record: a resource with its final id and version, or a deletion.
 *
 * @param resource the new content, or null for a deletion
 */
public record Write(String type, String id, long version, IBaseResource resource) {
  public static Write of(IBaseResource resource, long version) {
    return new Write(resource.fhirType(), resource.getIdElement().getIdPart(), version, resource);
  }

  public static Write deletion(String type, String id, long version) {
    return new Write(type, id, version, null);
  }

  public boolean isDeletion() {
    return resource == null;
  }

  public String versionedReference() {
    return type + "/" + id + "/_history/" + version;
  }
}
