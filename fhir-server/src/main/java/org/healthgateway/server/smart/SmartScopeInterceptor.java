package org.healthgateway.server.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.mappings.PatientCompartment;
import org.healthgateway.server.fhir.ResourceService;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.search.SearchEngine;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Enforces SMART scopes per interaction and resource type, before the key broker runs: scopes only
 * narrow what the broker would allow. A patient-level grant confines the request to the patient's
 * compartment: searches are narrowed to the patient (so totals stay honest), reads of another
 * patient's data and writes naming another patient are refused with 403, and anything that slips
 * into a response bundle (includes, history, {@code $everything}) is left out.
 */
@Interceptor
public final class SmartScopeInterceptor implements org.healthgateway.server.fhir.BatchEntryCheck {
  private final FhirContext fhir;
  private final ResourceService service;
  private final PatientCompartment compartment;
  private final SearchEngine search;
  private final Map<String, Optional<String>> compartmentParams = new ConcurrentHashMap<>();

  public SmartScopeInterceptor(FhirContext fhir, ResourceService service) {
    this.fhir = fhir;
    this.service = service;
    this.compartment = new PatientCompartment(fhir);
    this.search = new SearchEngine(fhir);
  }

  /** Checks the token's scopes against the interaction HAPI is about to run. */
  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
  public void checkScopes(RequestDetails request, RestOperationTypeEnum operation) {
    if (operation == RestOperationTypeEnum.METADATA
        || operation == RestOperationTypeEnum.GET_PAGE) {
      return;
    }
    TokenScopes token = currentToken();
    String type = request.getResourceName();
    String id = request.getId() == null ? null : request.getId().getIdPart();
    switch (operation) {
      case READ, VREAD, HISTORY_INSTANCE -> checkInstance(type, id, require(token, type, 'r'));
      case SEARCH_TYPE -> narrow(request, type, require(token, type, 's'));
      case HISTORY_TYPE -> require(token, type, 's');
      case SEARCH_SYSTEM, HISTORY_SYSTEM -> require(token, "*", 's');
      case CREATE -> checkIncoming(type, null, request.getResource(), require(token, type, 'c'));
      case UPDATE, PATCH -> {
        ScopeAccess access = require(token, type, 'u');
        checkIncoming(type, id, request.getResource(), access);
        checkExisting(type, id, access, Requester.current());
      }
      case DELETE -> checkExisting(type, id, require(token, type, 'd'), Requester.current());
      case EXTENDED_OPERATION_INSTANCE ->
          checkExisting(type, id, require(token, type, 'r'), Requester.current());
      case EXTENDED_OPERATION_TYPE -> require(token, type, 's');
      case EXTENDED_OPERATION_SERVER -> {
        String name = request.getOperation() == null ? "" : request.getOperation();
        if (name.replace("$", "").equals("register-keys")
            && !token.hasScope(TokenScopes.REGISTER_KEYS)) {
          throw new ForbiddenOperationException(
              "Insufficient scope: $register-keys needs the scope " + TokenScopes.REGISTER_KEYS);
        }
        // $ledger-head: ledger metadata only, for any token that may touch FHIR data at all.
        if (!token.hasResourceScope()) {
          throw new ForbiddenOperationException("Insufficient scope: no SMART resource scope");
        }
      }
      // HAPI names both TRANSACTION. A batch's entries are checked one by one when they run
      // (forCurrentRequest): a refused entry is a 403 entry of the batch-response.
      case TRANSACTION, BATCH -> checkBundle(token, request.getResource());
      default -> require(token, type == null ? "*" : type, 'r');
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
    if (resource instanceof Bundle bundle) {
      filterBundle(token.get(), bundle);
    } else if (operation == RestOperationTypeEnum.READ
        || operation == RestOperationTypeEnum.VREAD) {
      String type = fhir.getResourceType(resource);
      ScopeAccess access = token.get().access(type, 'r');
      if (!passes(type, resource, access)) {
        throw forbidden(type);
      }
    }
    return true;
  }

  private TokenScopes currentToken() {
    return TokenScopes.current()
        .orElseThrow(() -> new AuthenticationException("A valid bearer token is needed"));
  }

  private static ScopeAccess require(TokenScopes token, String type, char interaction) {
    ScopeAccess access = token.access(type, interaction);
    if (!access.allowed()) {
      throw new ForbiddenOperationException(access.reason());
    }
    return access;
  }

  private static ForbiddenOperationException forbidden(String type) {
    return new ForbiddenOperationException(
        "Insufficient scope: this " + type + " is outside the token's patient or scope filter");
  }

  /** Patient reads are decided by id; other types after loading (see filterResponse). */
  private void checkInstance(String type, String id, ScopeAccess access) {
    if ("Patient".equals(type) && access.patientId() != null && !access.patientId().equals(id)) {
      throw forbidden(type);
    }
  }

  /** Narrows a search to the patient's compartment and the scope's query filter. */
  private void narrow(RequestDetails request, String type, ScopeAccess access) {
    if (access.unrestricted()) {
      return;
    }
    Map<String, String[]> params = new LinkedHashMap<>(request.getParameters());
    if (access.patientId() != null && compartment.isInPatientCompartment(type)) {
      if ("Patient".equals(type)) {
        append(params, "_id", access.patientId());
      } else {
        Optional<String> param = compartmentParam(type);
        if (param.isPresent()) {
          append(params, param.get(), "Patient/" + access.patientId());
        }
      }
    }
    if (access.filters().size() == 1) {
      access
          .filters()
          .get(0)
          .forEach((name, values) -> values.forEach(v -> append(params, name, v)));
    } else if (!access.filters().isEmpty()) {
      Set<String> names =
          access.filters().stream()
              .map(Map::keySet)
              .collect(java.util.stream.Collectors.toSet())
              .stream()
              .flatMap(Set::stream)
              .collect(java.util.stream.Collectors.toSet());
      boolean sameSingleName =
          names.size() == 1 && access.filters().stream().allMatch(f -> f.size() == 1);
      if (sameSingleName) {
        String name = names.iterator().next();
        String anyOf =
            String.join(",", access.filters().stream().flatMap(f -> f.get(name).stream()).toList());
        append(params, name, anyOf);
      }
      // Otherwise the union can't be one FHIR query: filterResponse leaves out the rest.
    }
    request.setParameters(params);
  }

  private static void append(Map<String, String[]> params, String name, String value) {
    String[] old = params.getOrDefault(name, new String[0]);
    String[] values = java.util.Arrays.copyOf(old, old.length + 1);
    values[old.length] = value;
    params.put(name, values);
  }

  /** The Patient-compartment reference parameter of a type, {@code patient} preferred. */
  private Optional<String> compartmentParam(String type) {
    return compartmentParams.computeIfAbsent(
        type,
        t -> {
          List<String> names =
              fhir.getResourceDefinition(t).getSearchParams().stream()
                  .filter(p -> p.getParamType() == RestSearchParameterTypeEnum.REFERENCE)
                  .filter(
                      p ->
                          p.getProvidesMembershipInCompartments() != null
                              && p.getProvidesMembershipInCompartments().contains("Patient"))
                  .map(RuntimeSearchParam::getName)
                  .toList();
          for (String preferred : List.of("patient", "subject")) {
            if (names.contains(preferred)) {
              return Optional.of(preferred);
            }
          }
          return names.stream().findFirst();
        });
  }

  /** A written resource must name only the token's patient and match the scope's filter. */
  private void checkIncoming(String type, String id, IBaseResource resource, ScopeAccess access) {
    if (resource == null || access.unrestricted()) {
      return;
    }
    if (access.patientId() != null && compartment.isInPatientCompartment(type)) {
      if ("Patient".equals(type)) {
        if (!access.patientId().equals(id)) {
          throw forbidden(type);
        }
      } else if (!Set.of(access.patientId()).equals(compartment.patientIds(resource))
          && !provenanceOfPatient(resource, access.patientId())) {
        throw forbidden(type);
      }
    }
    if (!matchesFilter(type, resource, access)) {
      throw forbidden(type);
    }
  }

  /**
   * A Provenance that names no patient but whose every target is a record of the patient (the
   * signed approval of the patient's Consent) is inside the patient's reach.
   */
  private boolean provenanceOfPatient(IBaseResource resource, String patientId) {
    if (!(resource instanceof org.hl7.fhir.r4.model.Provenance provenance)
        || !compartment.patientIds(resource).isEmpty()
        || !provenance.hasTarget()) {
      return false;
    }
    for (org.hl7.fhir.r4.model.Reference target : provenance.getTarget()) {
      org.hl7.fhir.instance.model.api.IIdType id = target.getReferenceElement();
      Optional<VersionMeta> meta =
          id.hasResourceType() && id.hasIdPart()
              ? service.store().index().current(id.getResourceType(), id.getIdPart())
              : Optional.empty();
      if (meta.isEmpty() || !patientId.equals(meta.get().patientId())) {
        return false;
      }
    }
    return true;
  }

  /** The current version of a resource being changed must be inside the token's reach. */
  private void checkExisting(String type, String id, ScopeAccess access, String requester) {
    if (id == null || access.unrestricted()) {
      return;
    }
    checkInstance(type, id, access);
    Optional<VersionMeta> current = service.store().index().current(type, id);
    if (current.isEmpty() || current.get().deleted()) {
      return;
    }
    Optional<IBaseResource> existing = service.openIfAllowed(current.get(), requester);
    if (existing.isPresent() && !passes(type, existing.get(), access)) {
      throw forbidden(type);
    }
  }

  private boolean passes(String type, IBaseResource resource, ScopeAccess access) {
    if (!access.allowed()) {
      return false;
    }
    if (access.patientId() != null
        && compartment.isInPatientCompartment(type)
        && !compartment.patientIds(resource).contains(access.patientId())) {
      return false;
    }
    return matchesFilter(type, resource, access);
  }

  private boolean matchesFilter(String type, IBaseResource resource, ScopeAccess access) {
    if (access.filters().isEmpty()) {
      return true;
    }
    for (Map<String, List<String>> filter : access.filters()) {
      try {
        if (search.parse(type, filter).matches(resource)) {
          return true;
        }
      } catch (RuntimeException e) {
        // A filter naming a parameter this type doesn't have matches nothing (fail closed).
      }
    }
    return false;
  }

  private void filterBundle(TokenScopes token, Bundle bundle) {
    int before = bundle.getEntry().size();
    bundle
        .getEntry()
        .removeIf(
            entry -> {
              IBaseResource resource = entry.getResource();
              if (resource == null || resource instanceof org.hl7.fhir.r4.model.OperationOutcome) {
                return false;
              }
              String type = fhir.getResourceType(resource);
              return !passes(type, resource, token.access(type, 's'))
                  && !passes(type, resource, token.access(type, 'r'));
            });
    int removed = before - bundle.getEntry().size();
    if (removed > 0 && bundle.hasTotal() && bundle.getType() != Bundle.BundleType.SEARCHSET) {
      bundle.setTotal(Math.max(0, bundle.getTotal() - removed));
    }
  }

  /** Every entry of a transaction needs its own scope; reads in one need no limit. */
  private void checkBundle(TokenScopes token, IBaseResource resource) {
    if (!(resource instanceof Bundle bundle) || bundle.getType() == Bundle.BundleType.BATCH) {
      return;
    }
    String requester = Requester.current();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      checkEntry(token, requester, entry);
    }
  }

  @Override
  public java.util.function.Consumer<Bundle.BundleEntryComponent> forCurrentRequest() {
    TokenScopes token = currentToken();
    String requester = Requester.current();
    return entry -> checkEntry(token, requester, entry);
  }

  private void checkEntry(TokenScopes token, String requester, Bundle.BundleEntryComponent entry) {
    Bundle.BundleEntryRequestComponent request = entry.getRequest();
    if (request == null || request.getMethod() == null || !request.hasUrl()) {
      return;
    }
    String path = request.getUrl();
    int query = path.indexOf('?');
    String[] segments = (query < 0 ? path : path.substring(0, query)).split("/");
    String type = segments[0];
    String id = segments.length > 1 && query < 0 ? segments[1] : null;
    switch (request.getMethod()) {
      case POST -> checkIncoming(type, null, entry.getResource(), require(token, type, 'c'));
      case PUT, PATCH -> {
        ScopeAccess access = require(token, type, 'u');
        checkIncoming(type, id, entry.getResource(), access);
        checkExisting(type, id, access, requester);
      }
      case DELETE -> checkExisting(type, id, require(token, type, 'd'), requester);
      default -> {
        ScopeAccess access = require(token, type, id == null ? 's' : 'r');
        if (!access.unrestricted()) {
          throw new ForbiddenOperationException(
              "Insufficient scope: reads in a batch need a scope without patient or filter"
                  + " limits");
        }
      }
    }
  }
}
