package org.healthgateway.conformance;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Brings a resource as sent and as read back to one comparable JSON form: without {@code id} and
 * {@code meta}, references as {@code Type/id} relative to the server base, versions stripped.
 */
final class ResourceNormalizer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String serverBase;

  ResourceNormalizer(String serverBase) {
    this.serverBase = serverBase.endsWith("/") ? serverBase : serverBase + "/";
  }

  /**
   * Compares a sent resource with the server's JSON: first as plain JSON trees (fast, enough when
   * the server returns the JSON it was given), then, if they differ, after a round trip through
   * HAPI's model, so that serialization choices (element order, narrative markup, versioned or
   * absolute references) do not count as changes.
   *
   * @return the first difference, or null when equal
   */
  String difference(String resourceType, JsonNode sent, String readJson, UnaryOperator<String> map)
      throws java.io.IOException {
    JsonNode fastSent = plain(sent.deepCopy(), map);
    JsonNode fastRead = plain(JSON.readTree(readJson), reference -> null);
    if (fastSent.equals(fastRead)) {
      return null;
    }
    JsonNode expected = sent(sent.toString(), map);
    JsonNode actual = read((Resource) Fhir.json().parseResource(readJson));
    return firstDifference(expected, actual, resourceType);
  }

  private JsonNode plain(JsonNode resource, UnaryOperator<String> map) {
    ObjectNode object = (ObjectNode) resource;
    object.remove("id");
    object.remove("meta");
    rewriteReferences(object, map);
    return object;
  }

  private void rewriteReferences(JsonNode node, UnaryOperator<String> map) {
    if (node instanceof ObjectNode object) {
      JsonNode reference = object.get("reference");
      if (reference != null && reference.isTextual()) {
        String value = reference.asText();
        String mapped = map.apply(value);
        if (mapped != null) {
          value = mapped;
        }
        if (value.startsWith(serverBase)) {
          value = value.substring(serverBase.length());
        }
        int history = value.indexOf("/_history/");
        if (history > 0 && !value.startsWith("urn:")) {
          value = value.substring(0, history);
        }
        object.put("reference", value);
      }
      object.forEach(child -> rewriteReferences(child, map));
    } else if (node.isArray()) {
      node.forEach(child -> rewriteReferences(child, map));
    }
  }

  /** The sent resource with each reference replaced by {@code referenceMap} (when it maps it). */
  JsonNode sent(String resourceJson, UnaryOperator<String> referenceMap) {
    Resource resource = (Resource) Fhir.json().parseResource(resourceJson);
    for (Reference reference :
        Fhir.CTX.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
      if (reference.hasReference()) {
        String mapped = referenceMap.apply(reference.getReference());
        if (mapped != null) {
          reference.setReference(mapped);
        }
      }
    }
    return normalize(resource);
  }

  /** The resource as the server returned it. */
  JsonNode read(Resource resource) {
    for (Reference reference :
        Fhir.CTX.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
      if (reference.hasReference() && reference.getReference().startsWith(serverBase)) {
        reference.setReference(reference.getReference().substring(serverBase.length()));
      }
    }
    return normalize(resource);
  }

  private static JsonNode normalize(Resource resource) {
    resource.setId((IIdType) null);
    resource.setMeta(null);
    IParser parser = Fhir.json().setStripVersionsFromReferences(true);
    try {
      return JSON.readTree(parser.encodeResourceToString(resource));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Path and values of the first difference between two JSON trees, or null when equal. */
  static String firstDifference(JsonNode expected, JsonNode actual, String path) {
    if (expected.equals(actual)) {
      return null;
    }
    if (expected.isObject() && actual.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode other = actual.get(field.getKey());
        if (other == null) {
          return path + "." + field.getKey() + " missing in read-back";
        }
        String difference = firstDifference(field.getValue(), other, path + "." + field.getKey());
        if (difference != null) {
          return difference;
        }
      }
      for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!expected.has(name)) {
          return path + "." + name + " added by server: " + abbreviate(actual.get(name));
        }
      }
    }
    if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        String difference = firstDifference(expected.get(i), actual.get(i), path + "[" + i + "]");
        if (difference != null) {
          return difference;
        }
      }
    }
    return path + ": sent " + abbreviate(expected) + " but read " + abbreviate(actual);
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
