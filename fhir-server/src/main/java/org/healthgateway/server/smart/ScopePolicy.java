package org.healthgateway.server.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.healthgateway.mappings.PatientCompartment;

/**
 * Decides what a token's SMART scopes allow, before the key broker runs (scopes only narrow what
 * the broker would allow). Pure: the facts come in ({@link ScopeRequest}, {@link ResourceView}), a
 * {@link ScopeDecision} goes out.
 *
 * <p>A patient-level grant confines a request to the patient's compartment: searches are narrowed
 * to the patient, so that their totals stay honest; a read of another Patient, or a write naming
 * another patient, is denied; anything else a response would show outside the compartment (a read
 * after loading, includes, history, {@code $everything}) is left out or denied by {@link #show}. v2
 * scope queries narrow the same way. Reads inside a batch or transaction need a scope without such
 * limits.
 */
public final class ScopePolicy {

  /**
   * The Patient compartment as the policy needs it: the types in it, and for each the search
   * parameter that confines a search to one patient (none for a type that has no such reference).
   */
  public record Compartment(Set<String> types, Map<String, String> searchParams) {
    public Compartment {
      types = Set.copyOf(types);
      searchParams = Map.copyOf(searchParams);
    }

    /**
     * The compartment of HAPI's R4 definitions: the types {@link PatientCompartment} counts, and
     * the first Patient reference parameter of each, {@code patient} or {@code subject} preferred.
     */
    public static Compartment of(FhirContext fhir, PatientCompartment compartment) {
      Map<String, String> params = new HashMap<>();
      for (String type : compartment.compartmentTypes()) {
        List<String> names =
            fhir.getResourceDefinition(type).getSearchParams().stream()
                .filter(p -> p.getParamType() == RestSearchParameterTypeEnum.REFERENCE)
                .filter(
                    p ->
                        p.getProvidesMembershipInCompartments() != null
                            && p.getProvidesMembershipInCompartments().contains(PATIENT))
                .map(RuntimeSearchParam::getName)
                .toList();
        names.stream()
            .filter(name -> name.equals("patient"))
            .findFirst()
            .or(() -> names.stream().filter(name -> name.equals("subject")).findFirst())
            .or(() -> names.stream().findFirst())
            .ifPresent(name -> params.put(type, name));
      }
      return new Compartment(compartment.compartmentTypes(), params);
    }

    boolean contains(String type) {
      return type != null && types.contains(type);
    }
  }

  private static final String PATIENT = "Patient";

  private final TokenScopes token;
  private final Compartment compartment;

  public ScopePolicy(TokenScopes token, Compartment compartment) {
    this.token = token;
    this.compartment = compartment;
  }

  /** Decides a request, or one entry of a batch or transaction, as HAPI is about to run it. */
  public ScopeDecision decide(ScopeRequest request) {
    String type = request.type();
    Interaction interaction = request.interaction();
    if (request.bundleEntry()
        && (interaction == Interaction.READ || interaction == Interaction.SEARCH_TYPE)) {
      return readInBundle(type, interaction.permission());
    }
    return switch (interaction) {
      case UNCHECKED, BUNDLE -> ScopeDecision.permit();
      case READ, VREAD, HISTORY_INSTANCE -> instance(type, request.id(), access(type, 'r'));
      case SEARCH_TYPE -> search(type, request.parameters());
      case HISTORY_TYPE, OPERATION_TYPE -> require(access(type, 's'));
      case SEARCH_SYSTEM, HISTORY_SYSTEM -> require(access("*", 's'));
      case CREATE -> incoming(request, access(type, 'c'));
      case UPDATE, PATCH -> change(request, access(type, 'u'), true);
      case DELETE -> change(request, access(type, 'd'), false);
      case OPERATION_INSTANCE -> change(request, access(type, 'r'), false);
      case OPERATION_SERVER -> serverOperation(request.operation());
      case OTHER -> require(access(type == null ? "*" : type, 'r'));
    };
  }

  /**
   * Decides whether a response may show a resource: a read's resource (denied: 403) or an entry of
   * a Bundle (denied: left out), which either a search or a read scope may cover.
   */
  public ScopeDecision show(ResourceView resource, boolean bundleEntry) {
    String type = resource.type();
    if (passes(resource, access(type, 'r'))
        || (bundleEntry && passes(resource, access(type, 's')))) {
      return ScopeDecision.permit();
    }
    return outside(type);
  }

  private ScopeAccess access(String type, char permission) {
    return token.access(type, permission);
  }

  private static ScopeDecision require(ScopeAccess access) {
    return access.allowed() ? ScopeDecision.permit() : new ScopeDecision.Deny(access.reason());
  }

  private static ScopeDecision outside(String type) {
    return new ScopeDecision.Deny(
        "Insufficient scope: this " + type + " is outside the token's patient or scope filter");
  }

  /** A Patient is decided by its id; other types after loading, by {@link #show}. */
  private static ScopeDecision instance(String type, String id, ScopeAccess access) {
    if (!access.allowed()) {
      return require(access);
    }
    if (PATIENT.equals(type) && access.patientId() != null && !access.patientId().equals(id)) {
      return outside(type);
    }
    return ScopeDecision.permit();
  }

  /** Reads in a Bundle run unnarrowed and unfiltered, so they need a scope without limits. */
  private ScopeDecision readInBundle(String type, char permission) {
    ScopeAccess access = access(type, permission);
    if (!access.allowed()) {
      return require(access);
    }
    if (!access.unrestricted()) {
      return new ScopeDecision.Deny(
          "Insufficient scope: reads in a batch need a scope without patient or filter limits");
    }
    return ScopeDecision.permit();
  }

  /** A search, narrowed to the patient's compartment and the scope's query. */
  private ScopeDecision search(String type, Map<String, List<String>> parameters) {
    ScopeAccess access = access(type, 's');
    if (!access.allowed()) {
      return require(access);
    }
    if (access.unrestricted()) {
      return ScopeDecision.permit();
    }
    Map<String, List<String>> narrowed = new LinkedHashMap<>();
    parameters.forEach((name, values) -> narrowed.put(name, new ArrayList<>(values)));
    boolean changed = false;
    String patient = access.patientId();
    if (patient != null && compartment.contains(type)) {
      if (PATIENT.equals(type)) {
        changed = append(narrowed, "_id", patient);
      } else {
        Optional<String> param = Optional.ofNullable(compartment.searchParams().get(type));
        changed = param.isPresent() && append(narrowed, param.get(), "Patient/" + patient);
      }
    }
    changed |= narrowByQueries(narrowed, access.filters());
    return changed ? new ScopeDecision.Narrow(patient, narrowed) : ScopeDecision.permit();
  }

  /**
   * Adds the scope queries: one query as its parameters (ANDed), several queries of one parameter
   * as one OR-list. Any other union is no single FHIR query: {@link #show} leaves out the rest.
   */
  private static boolean narrowByQueries(
      Map<String, List<String>> narrowed, List<Map<String, List<String>>> queries) {
    if (queries.size() == 1) {
      queries.get(0).forEach((name, values) -> values.forEach(v -> append(narrowed, name, v)));
      return true;
    }
    Set<String> names =
        queries.stream().flatMap(q -> q.keySet().stream()).collect(Collectors.toSet());
    if (names.size() == 1 && queries.stream().allMatch(q -> q.size() == 1)) {
      String name = names.iterator().next();
      append(
          narrowed,
          name,
          String.join(",", queries.stream().flatMap(q -> q.get(name).stream()).toList()));
      return true;
    }
    return false;
  }

  private static boolean append(Map<String, List<String>> parameters, String name, String value) {
    parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    return true;
  }

  /** An update, patch, delete or instance operation: the stored version must be in reach too. */
  private ScopeDecision change(ScopeRequest request, ScopeAccess access, boolean writes) {
    ScopeDecision decision = writes ? incoming(request, access) : require(access);
    if (!decision.allowed() || request.id() == null || access.unrestricted()) {
      return decision;
    }
    ScopeDecision byId = instance(request.type(), request.id(), access);
    if (!byId.allowed()) {
      return byId;
    }
    Optional<ResourceView> stored = request.existing().get();
    return stored.isEmpty() || passes(stored.get(), access)
        ? ScopeDecision.permit()
        : outside(request.type());
  }

  /** A written resource must name only the token's patient and match the scope's query. */
  private ScopeDecision incoming(ScopeRequest request, ScopeAccess access) {
    if (!access.allowed()) {
      return require(access);
    }
    ResourceView resource = request.incoming();
    String type = request.type();
    if (resource == null || access.unrestricted()) {
      return ScopeDecision.permit();
    }
    String patient = access.patientId();
    if (patient != null && compartment.contains(type)) {
      boolean inReach =
          PATIENT.equals(type)
              ? patient.equals(request.id())
              : Set.of(patient).equals(resource.patientIds())
                  || provenanceOfPatient(resource, patient);
      if (!inReach) {
        return outside(type);
      }
    }
    return matchesQuery(resource, access) ? ScopeDecision.permit() : outside(type);
  }

  /**
   * A Provenance that names no patient but whose every target is a record of the patient (the
   * signed approval of the patient's Consent) is inside the patient's reach.
   */
  private static boolean provenanceOfPatient(ResourceView resource, String patient) {
    List<String> targets = resource.targetPatients();
    return "Provenance".equals(resource.type())
        && resource.patientIds().isEmpty()
        && !targets.isEmpty()
        && targets.stream().allMatch(patient::equals);
  }

  private ScopeDecision serverOperation(String operation) {
    String name = operation == null ? "" : operation.replace("$", "");
    if (name.equals(TokenScopes.REGISTER_KEYS) && !token.hasScope(TokenScopes.REGISTER_KEYS)) {
      return new ScopeDecision.Deny(
          "Insufficient scope: $register-keys needs the scope " + TokenScopes.REGISTER_KEYS);
    }
    // $ledger-head: ledger metadata only, for any token that may touch FHIR data at all.
    if (!token.hasResourceScope()) {
      return new ScopeDecision.Deny("Insufficient scope: no SMART resource scope");
    }
    return ScopeDecision.permit();
  }

  private boolean passes(ResourceView resource, ScopeAccess access) {
    if (!access.allowed()) {
      return false;
    }
    if (access.patientId() != null
        && compartment.contains(resource.type())
        && !resource.patientIds().contains(access.patientId())) {
      return false;
    }
    return matchesQuery(resource, access);
  }

  private static boolean matchesQuery(ResourceView resource, ScopeAccess access) {
    return access.filters().isEmpty() || access.filters().stream().anyMatch(resource::matches);
  }
}
