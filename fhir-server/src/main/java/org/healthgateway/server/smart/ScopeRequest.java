package org.healthgateway.server.smart;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.IdType;

/**
 * One request (or one Bundle entry) as the scope policy sees it.
 *
 * @param interaction what the request does
 * @param type the resource type of its URL; null at server level
 * @param id the resource id of its URL; null when it names none
 * @param operation the extended operation's name ({@code $everything}); null for none
 * @param parameters the search parameters HAPI parsed; empty for none
 * @param incoming the resource a create, update or patch writes; null for none
 * @param existing the stored current version the request changes, if the requester can open it
 * @param bundleEntry true for an entry of a batch or transaction Bundle
 */
public record ScopeRequest(
    Interaction interaction,
    String type,
    String id,
    String operation,
    Map<String, List<String>> parameters,
    ResourceView incoming,
    Supplier<Optional<ResourceView>> existing,
    boolean bundleEntry) {

  private static final Supplier<Optional<ResourceView>> NOTHING_STORED = Optional::empty;

  public ScopeRequest {
    parameters = parameters == null ? Map.of() : parameters;
    existing = existing == null ? NOTHING_STORED : existing;
  }

  /** A request of an interaction on a type (null: the server) and id (null: none). */
  public static ScopeRequest of(Interaction interaction, String type, String id) {
    return new ScopeRequest(interaction, type, id, null, Map.of(), null, null, false);
  }

  /**
   * One entry of a batch or transaction Bundle, typed the way the Bundle processor runs it: a POST
   * creates its resource's type (the processor refuses a URL naming another type), other methods
   * act on the {@code Type/id} of their URL, relative or absolute. Empty for an entry without
   * method, or without a type in its URL or resource: the processor refuses those (400).
   *
   * @param method the entry's {@code request.method} ({@code GET}, {@code POST}, ...)
   * @param url the entry's {@code request.url}, may be null
   * @param resourceType the type of the entry's resource; null for none
   */
  public static Optional<ScopeRequest> entry(String method, String url, String resourceType) {
    if (method == null) {
      return Optional.empty();
    }
    String path = url == null ? "" : url;
    int query = path.indexOf('?');
    String type;
    String id = null;
    if (query >= 0) {
      String before = path.substring(0, query);
      type = before.substring(before.lastIndexOf('/') + 1);
    } else {
      IdType target = new IdType(path);
      if (target.hasResourceType() && target.hasIdPart()) {
        type = target.getResourceType();
        id = target.getIdPart();
      } else {
        type = path.substring(path.lastIndexOf('/') + 1);
      }
    }
    Interaction interaction =
        switch (method) {
          case "POST" -> Interaction.CREATE;
          case "PUT" -> Interaction.UPDATE;
          case "PATCH" -> Interaction.PATCH;
          case "DELETE" -> Interaction.DELETE;
          default -> id == null ? Interaction.SEARCH_TYPE : Interaction.READ;
        };
    if (interaction == Interaction.CREATE) {
      id = null;
      if (resourceType != null) {
        type = resourceType;
      }
    }
    if (type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ScopeRequest(interaction, type, id, null, Map.of(), null, null, true));
  }

  /** This request with an extended operation's name. */
  public ScopeRequest withOperation(String name) {
    return new ScopeRequest(
        interaction, type, id, name, parameters, incoming, existing, bundleEntry);
  }

  /** This request with its search parameters. */
  public ScopeRequest withParameters(Map<String, List<String>> values) {
    return new ScopeRequest(
        interaction, type, id, operation, values, incoming, existing, bundleEntry);
  }

  /** This request with the resource it writes. */
  public ScopeRequest withIncoming(ResourceView resource) {
    return new ScopeRequest(
        interaction, type, id, operation, parameters, resource, existing, bundleEntry);
  }

  /** This request with the stored version it changes, looked up only if the policy asks. */
  public ScopeRequest withExisting(Supplier<Optional<ResourceView>> stored) {
    return new ScopeRequest(
        interaction, type, id, operation, parameters, incoming, stored, bundleEntry);
  }
}
