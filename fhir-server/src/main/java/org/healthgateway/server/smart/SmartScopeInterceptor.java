package org.healthgateway.server.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.mappings.PatientCompartment;
import org.healthgateway.server.fhir.BatchEntryCheck;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.search.SearchEngine;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;

/**
 * Applies the {@link ScopePolicy} of the request's token to what HAPI is about to run and to what
 * it is about to answer: gathers the facts from {@link RequestDetails} and the store, turns a
 * denial into 403 and a narrowing into the search parameters the providers read. A batch's entries
 * are checked one by one as they run ({@link #forCurrentRequest}), so that a refused entry is a 403
 * entry of the batch-response.
 */
@Interceptor
public final class SmartScopeInterceptor implements BatchEntryCheck {
  private final FhirContext fhir;
  private final ResourceService service;
  private final PatientCompartment compartment;
  private final ScopePolicy.Compartment scopeCompartment;
  private final SearchEngine search;

  public SmartScopeInterceptor(FhirContext fhir, ResourceService service, SearchEngine search) {
    this.fhir = fhir;
    this.service = service;
    this.compartment = new PatientCompartment(fhir);
    this.scopeCompartment = ScopePolicy.Compartment.of(fhir, compartment);
    this.search = search;
  }

  /** Checks the token's scopes against the interaction HAPI is about to run. */
  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
  public void checkScopes(RequestDetails request, RestOperationTypeEnum operation) {
    Interaction interaction = interaction(operation);
    if (interaction == Interaction.UNCHECKED) {
      return;
    }
    ScopePolicy policy = currentPolicy();
    if (interaction == Interaction.BUNDLE) {
      checkTransaction(policy, request.getResource());
      return;
    }
    String type = request.getResourceName();
    String id = request.getId() == null ? null : request.getId().getIdPart();
    IBaseResource body = request.getResource();
    ScopeRequest scoped =
        ScopeRequest.of(interaction, type, id)
            .withOperation(request.getOperation())
            .withParameters(
                interaction == Interaction.SEARCH_TYPE ? lists(request.getParameters()) : Map.of())
            .withIncoming(body == null ? null : view(body))
            .withExisting(() -> stored(type, id, Requester.current()));
    ScopeDecision decision = enforce(policy.decide(scoped));
    if (decision instanceof ScopeDecision.Narrow narrow) {
      request.setParameters(arrays(narrow.parameters()));
    }
  }

  /** Leaves out of a response what the token's compartment or query filters do not cover. */
  @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
  public boolean filterResponse(RequestDetails request, ResponseDetails response) {
    RestOperationTypeEnum operation = request.getRestOperationType();
    IBaseResource resource = response.getResponseResource();
    if (resource == null
        || operation == null
        || operation == RestOperationTypeEnum.METADATA
        || operation == RestOperationTypeEnum.TRANSACTION
        || operation == RestOperationTypeEnum.BATCH) {
      return true;
    }
    Optional<TokenScopes> token = TokenScopes.current();
    if (token.isEmpty()) {
      return true;
    }
    ScopePolicy policy = new ScopePolicy(token.get(), scopeCompartment);
    if (resource instanceof Bundle bundle) {
      filterBundle(policy, bundle);
    } else if (operation == RestOperationTypeEnum.READ
        || operation == RestOperationTypeEnum.VREAD) {
      enforce(policy.show(view(resource), false));
    }
    return true;
  }

  @Override
  public Consumer<Bundle.BundleEntryComponent> forCurrentRequest() {
    ScopePolicy policy = currentPolicy();
    String requester = Requester.current();
    return entry -> entryRequest(entry, requester).ifPresent(r -> enforce(policy.decide(r)));
  }

  /** The policy's interaction for HAPI's. */
  static Interaction interaction(RestOperationTypeEnum operation) {
    return switch (operation) {
      case METADATA, GET_PAGE -> Interaction.UNCHECKED;
      case READ -> Interaction.READ;
      case VREAD -> Interaction.VREAD;
      case HISTORY_INSTANCE -> Interaction.HISTORY_INSTANCE;
      case SEARCH_TYPE -> Interaction.SEARCH_TYPE;
      case HISTORY_TYPE -> Interaction.HISTORY_TYPE;
      case SEARCH_SYSTEM -> Interaction.SEARCH_SYSTEM;
      case HISTORY_SYSTEM -> Interaction.HISTORY_SYSTEM;
      case CREATE -> Interaction.CREATE;
      case UPDATE -> Interaction.UPDATE;
      case PATCH -> Interaction.PATCH;
      case DELETE -> Interaction.DELETE;
      case EXTENDED_OPERATION_INSTANCE -> Interaction.OPERATION_INSTANCE;
      case EXTENDED_OPERATION_TYPE -> Interaction.OPERATION_TYPE;
      case EXTENDED_OPERATION_SERVER -> Interaction.OPERATION_SERVER;
      // HAPI names both TRANSACTION; the Bundle's type tells them apart.
      case TRANSACTION, BATCH -> Interaction.BUNDLE;
      default -> Interaction.OTHER;
    };
  }

  private ScopePolicy currentPolicy() {
    TokenScopes token =
        TokenScopes.current()
            .orElseThrow(() -> new AuthenticationException("A valid bearer token is needed"));
    return new ScopePolicy(token, scopeCompartment);
  }

  private static ScopeDecision enforce(ScopeDecision decision) {
    if (decision instanceof ScopeDecision.Deny deny) {
      throw new ForbiddenOperationException(deny.reason());
    }
    return decision;
  }

  /** Every entry of a transaction needs its own scope, before any runs: it is all or nothing. */
  private void checkTransaction(ScopePolicy policy, IBaseResource resource) {
    if (!(resource instanceof Bundle bundle) || bundle.getType() == Bundle.BundleType.BATCH) {
      return;
    }
    String requester = Requester.current();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      entryRequest(entry, requester).ifPresent(r -> enforce(policy.decide(r)));
    }
  }

  private Optional<ScopeRequest> entryRequest(Bundle.BundleEntryComponent entry, String requester) {
    Bundle.BundleEntryRequestComponent request = entry.getRequest();
    if (request == null || request.getMethod() == null) {
      return Optional.empty();
    }
    IBaseResource resource = entry.getResource();
    return ScopeRequest.entry(
            request.getMethod().toCode(),
            request.getUrl(),
            resource == null ? null : fhir.getResourceType(resource))
        .map(
            r ->
                r.withIncoming(resource == null ? null : view(resource))
                    .withExisting(() -> stored(r.type(), r.id(), requester)));
  }

  /** The current version, if it exists, is not deleted and the requester can open it. */
  private Optional<ResourceView> stored(String type, String id, String requester) {
    if (type == null || id == null) {
      return Optional.empty();
    }
    Optional<VersionMeta> current = service.current(type, id);
    if (current.isEmpty() || current.get().deleted()) {
      return Optional.empty();
    }
    return service.openIfAllowed(current.get(), requester).map(this::view);
  }

  private void filterBundle(ScopePolicy policy, Bundle bundle) {
    int before = bundle.getEntry().size();
    bundle
        .getEntry()
        .removeIf(
            entry -> {
              IBaseResource resource = entry.getResource();
              return resource != null
                  && !(resource instanceof OperationOutcome)
                  && !policy.show(view(resource), true).allowed();
            });
    int removed = before - bundle.getEntry().size();
    if (removed > 0 && bundle.hasTotal() && bundle.getType() != Bundle.BundleType.SEARCHSET) {
      bundle.setTotal(Math.max(0, bundle.getTotal() - removed));
    }
  }

  private ResourceView view(IBaseResource resource) {
    return new LoadedView(resource, fhir.getResourceType(resource));
  }

  /** The facts of a resource, worked out only when the policy asks (limited tokens). */
  private final class LoadedView implements ResourceView {
    private final IBaseResource resource;
    private final String type;
    private Set<String> patientIds;

    LoadedView(IBaseResource resource, String type) {
      this.resource = resource;
      this.type = type;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Set<String> patientIds() {
      if (patientIds == null) {
        patientIds = compartment.patientIds(resource);
      }
      return patientIds;
    }

    @Override
    public List<String> targetPatients() {
      if (!(resource instanceof Provenance provenance) || !patientIds().isEmpty()) {
        return List.of();
      }
      List<String> patients = new ArrayList<>();
      for (Reference target : provenance.getTarget()) {
        IIdType id = target.getReferenceElement();
        patients.add(
            id.hasResourceType() && id.hasIdPart()
                ? service
                    .current(id.getResourceType(), id.getIdPart())
                    .map(VersionMeta::patientId)
                    .orElse(null)
                : null);
      }
      return Collections.unmodifiableList(patients);
    }

    @Override
    public boolean matches(Map<String, List<String>> query) {
      try {
        return search.parse(type, query).matches(resource);
      } catch (RuntimeException e) {
        // A query naming a parameter this type doesn't have matches nothing (fail closed).
        return false;
      }
    }
  }

  private static Map<String, List<String>> lists(Map<String, String[]> parameters) {
    Map<String, List<String>> lists = new LinkedHashMap<>();
    if (parameters == null) {
      return lists;
    }
    parameters.forEach((name, values) -> lists.put(name, Arrays.asList(values)));
    return lists;
  }

  private static Map<String, String[]> arrays(Map<String, List<String>> parameters) {
    Map<String, String[]> arrays = new LinkedHashMap<>();
    parameters.forEach((name, values) -> arrays.put(name, values.toArray(String[]::new)));
    return arrays;
  }
}
