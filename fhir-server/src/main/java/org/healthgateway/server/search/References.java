package org.healthgateway.server.search;

import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

/** Reads reference text the way the search treats it. */
final class References {

  private References() {}

  /**
   * The reference as an unversioned {@code Type/id}, dropping a base URL, or null if the text names
   * no resource type ({@code urn:uuid:}, conditional, contained, or a bare id).
   */
  static IIdType typedId(IIdType reference) {
    if (reference == null || reference.isEmpty()) {
      return null;
    }
    String value = reference.getValue();
    if (value.startsWith("#") || value.startsWith("urn:") || value.contains("?")) {
      return null;
    }
    IdType id = new IdType(value);
    if (!id.hasResourceType() || !id.hasIdPart()) {
      return null;
    }
    return new IdType(id.getResourceType(), id.getIdPart());
  }

  /** The id part of a reference, typed or not, or null for contained and conditional ones. */
  static String idPart(IIdType reference) {
    if (reference == null || reference.isEmpty()) {
      return null;
    }
    String value = reference.getValue();
    if (value.startsWith("#") || value.contains("?")) {
      return null;
    }
    return new IdType(value).getIdPart();
  }
}
