package org.healthgateway.server.smart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.healthgateway.server.smart.ScopeDecision.Deny;
import org.healthgateway.server.smart.ScopeDecision.Narrow;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScopePolicyTest {
  private static final String P = "p";
  private static final ScopePolicy.Compartment COMPARTMENT =
      new ScopePolicy.Compartment(
          Set.of("Patient", "Observation", "Condition", "AllergyIntolerance", "Provenance", "Flag"),
          Map.of(
              "Observation", "subject",
              "Condition", "subject",
              "AllergyIntolerance", "patient",
              "Provenance", "patient"));

  private static ScopePolicy policy(String patient, String fhirUser, String... scopes) {
    return new ScopePolicy(TokenScopes.of(List.of(scopes), patient, fhirUser), COMPARTMENT);
  }

  /** A practitioner's token, launched for patient p. */
  private static ScopePolicy launched(String... scopes) {
    return policy(P, "Practitioner/a", scopes);
  }

  private static ResourceView resource(String type, String... patients) {
    return ResourceView.of(type, Set.of(patients), List.of(), query -> true);
  }

  private static ResourceView filtered(String type, String patient, Predicate<String> category) {
    return ResourceView.of(
        type,
        Set.of(patient),
        List.of(),
        query -> query.get("category").stream().anyMatch(category));
  }

  private static ScopeRequest request(Interaction interaction, String type, String id) {
    return ScopeRequest.of(interaction, type, id);
  }

  private static ScopeRequest write(
      Interaction interaction, String type, String id, ResourceView incoming, ResourceView stored) {
    return ScopeRequest.of(interaction, type, id)
        .withIncoming(incoming)
        .withExisting(() -> Optional.ofNullable(stored));
  }

  private static Map<String, List<String>> params(String... nameValues) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      params.computeIfAbsent(nameValues[i], n -> new ArrayList<>()).add(nameValues[i + 1]);
    }
    return params;
  }

  private static Narrow narrowed(ScopeDecision decision) {
    assertThat(decision).isInstanceOf(Narrow.class);
    return (Narrow) decision;
  }

  private static String reason(ScopeDecision decision) {
    assertThat(decision).isInstanceOf(Deny.class);
    return ((Deny) decision).reason();
  }

  /** Interactions a type-level scope decides, each on an Observation of patient p. */
  private static final List<Interaction> TYPE_INTERACTIONS =
      List.of(
          Interaction.READ,
          Interaction.VREAD,
          Interaction.HISTORY_INSTANCE,
          Interaction.SEARCH_TYPE,
          Interaction.HISTORY_TYPE,
          Interaction.CREATE,
          Interaction.UPDATE,
          Interaction.PATCH,
          Interaction.DELETE,
          Interaction.OPERATION_INSTANCE,
          Interaction.OPERATION_TYPE,
          Interaction.OTHER);

  /** level × permission syntax (v1 and v2) × interaction, and the v2 permissions each grants. */
  static Stream<Arguments> scopeForms() {
    Map<String, String> grants = new LinkedHashMap<>();
    grants.put("read", "rs");
    grants.put("write", "cud");
    grants.put("*", "cruds");
    grants.put("cruds", "cruds");
    grants.put("rs", "rs");
    grants.put("cud", "cud");
    for (char c : "cruds".toCharArray()) {
      grants.put(String.valueOf(c), String.valueOf(c));
    }
    List<Arguments> cases = new ArrayList<>();
    for (String level : List.of("patient", "user", "system")) {
      for (Map.Entry<String, String> form : grants.entrySet()) {
        for (String type : List.of("Observation", "*")) {
          for (Interaction interaction : TYPE_INTERACTIONS) {
            cases.add(
                Arguments.of(
                    level + "/" + type + "." + form.getKey(),
                    interaction,
                    form.getValue().indexOf(interaction.permission()) >= 0));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} allowed={2}")
  @MethodSource("scopeForms")
  void decide_eachScopeFormAndInteraction_allowedExactlyWithItsPermission(
      String scope, Interaction interaction, boolean allowed) {
    ResourceView own = resource("Observation", P);
    ScopeRequest request =
        write(interaction, "Observation", "o1", own, own).withParameters(params("code", "x"));
    ScopeDecision decision = launched(scope).decide(request);
    assertThat(decision.allowed()).as(scope + " " + interaction).isEqualTo(allowed);
    if (!allowed) {
      assertThat(reason(decision)).contains("Insufficient scope").contains("Observation");
    }
  }

  @Test
  void decide_scopeOfAnotherType_denied() {
    ScopeDecision decision =
        launched("system/Condition.cruds").decide(request(Interaction.READ, "Observation", "o1"));
    assertThat(reason(decision))
        .isEqualTo("Insufficient scope: the access token does not allow 'r' on Observation");
  }

  @Test
  void decide_noScopesAtAll_deniedForEveryTypeInteraction() {
    ScopePolicy none = launched("openid", "fhirUser");
    for (Interaction interaction : TYPE_INTERACTIONS) {
      assertThat(none.decide(request(interaction, "Observation", "o1")).allowed())
          .as(interaction.name())
          .isFalse();
    }
  }

  @Test
  void decide_unchecked_permittedWithoutAnyScope() {
    assertThat(launched().decide(request(Interaction.UNCHECKED, null, null)))
        .isEqualTo(ScopeDecision.permit());
  }

  @Test
  void decide_bundle_permittedItsEntriesDecidedOneByOne() {
    assertThat(launched().decide(request(Interaction.BUNDLE, null, null)).allowed()).isTrue();
  }

  @Nested
  class Search {
    @Test
    void patientScope_narrowedToCompartmentParameterAfterRequestParameters() {
      Narrow narrow =
          narrowed(
              launched("patient/Observation.rs")
                  .decide(
                      request(Interaction.SEARCH_TYPE, "Observation", null)
                          .withParameters(params("code", "1234-5", "_count", "10"))));
      assertThat(narrow.patient()).isEqualTo(P);
      assertThat(narrow.parameters())
          .containsExactly(
              Map.entry("code", List.of("1234-5")),
              Map.entry("_count", List.of("10")),
              Map.entry("subject", List.of("Patient/p")));
    }

    @Test
    void patientScope_typeWithPatientParameter_usesIt() {
      Narrow narrow =
          narrowed(
              launched("patient/*.rs")
                  .decide(request(Interaction.SEARCH_TYPE, "AllergyIntolerance", null)));
      assertThat(narrow.parameters()).containsExactly(Map.entry("patient", List.of("Patient/p")));
    }

    @Test
    void patientScopeOnPatient_narrowedById() {
      Narrow narrow =
          narrowed(
              launched("patient/Patient.rs")
                  .decide(request(Interaction.SEARCH_TYPE, "Patient", null)));
      assertThat(narrow.parameters()).containsExactly(Map.entry("_id", List.of(P)));
    }

    @Test
    void patientScope_requestNamingAnotherPatient_bothKeptSoTheResultIsEmpty() {
      // HAPI's SearchNarrowingInterceptor answers this with 403 (HAPI-2026); the gateway's
      // contract is an empty searchset (smart/README: "Why not HAPI's SearchNarrowingInterceptor").
      Narrow narrow =
          narrowed(
              launched("patient/Observation.rs")
                  .decide(
                      request(Interaction.SEARCH_TYPE, "Observation", null)
                          .withParameters(params("subject", "Patient/q"))));
      assertThat(narrow.parameters())
          .containsExactly(Map.entry("subject", List.of("Patient/q", "Patient/p")));
    }

    @Test
    void patientScope_typeOutsideCompartment_notNarrowed() {
      assertThat(
              launched("patient/*.rs")
                  .decide(request(Interaction.SEARCH_TYPE, "Practitioner", null)))
          .isEqualTo(ScopeDecision.permit());
    }

    @Test
    void patientScope_compartmentTypeWithoutPatientReference_leftToShow() {
      assertThat(launched("patient/*.rs").decide(request(Interaction.SEARCH_TYPE, "Flag", null)))
          .isEqualTo(ScopeDecision.permit());
      assertThat(launched("patient/*.rs").show(resource("Flag", "q"), true).allowed()).isFalse();
    }

    @Test
    void patientScopeWithoutPatientContext_deniedNamingThePatient() {
      ScopeDecision decision =
          policy(null, "Practitioner/a", "patient/Observation.rs")
              .decide(request(Interaction.SEARCH_TYPE, "Observation", null));
      assertThat(reason(decision)).contains("patient in the launch context");
    }

    @Test
    void patientUser_confinedToOwnRecord() {
      Narrow narrow =
          narrowed(
              policy(null, "Patient/p2", "patient/*.read")
                  .decide(request(Interaction.SEARCH_TYPE, "Condition", null)));
      assertThat(narrow.patient()).isEqualTo("p2");
      assertThat(narrow.parameters()).containsEntry("subject", List.of("Patient/p2"));
    }

    @Test
    void launchPatient_winsOverPatientUser() {
      assertThat(
              narrowed(
                      policy("p3", "Patient/p2", "patient/*.rs")
                          .decide(request(Interaction.SEARCH_TYPE, "Condition", null)))
                  .patient())
          .isEqualTo("p3");
    }

    @Test
    void userOrSystemScope_unnarrowed() {
      for (String scope : List.of("user/Observation.rs", "system/*.read", "user/*.*")) {
        assertThat(
                launched("patient/*.rs", scope)
                    .decide(request(Interaction.SEARCH_TYPE, "Observation", null)))
            .as(scope)
            .isEqualTo(ScopeDecision.permit());
      }
    }

    @Test
    void v2Query_parametersAnded() {
      Narrow narrow =
          narrowed(
              launched("system/Observation.rs?category=laboratory&status=final")
                  .decide(
                      request(Interaction.SEARCH_TYPE, "Observation", null)
                          .withParameters(params("category", "vital-signs"))));
      assertThat(narrow.patient()).isNull();
      assertThat(narrow.parameters())
          .containsExactly(
              Map.entry("category", List.of("vital-signs", "laboratory")),
              Map.entry("status", List.of("final")));
    }

    @Test
    void v2QueriesOfOneParameter_oneOrList() {
      Narrow narrow =
          narrowed(
              launched(
                      "user/Observation.rs?category=laboratory",
                      "user/Observation.rs?category=vital-signs")
                  .decide(request(Interaction.SEARCH_TYPE, "Observation", null)));
      assertThat(narrow.parameters())
          .containsExactly(Map.entry("category", List.of("laboratory,vital-signs")));
    }

    @Test
    void v2QueriesOfDifferentParameters_noSingleQuery_leftToShow() {
      ScopePolicy policy =
          launched("user/Observation.rs?category=laboratory", "user/Observation.rs?status=final");
      assertThat(policy.decide(request(Interaction.SEARCH_TYPE, "Observation", null)))
          .isEqualTo(ScopeDecision.permit());
      ResourceView vital = ResourceView.of("Observation", Set.of(P), List.of(), query -> false);
      assertThat(policy.show(vital, true).allowed()).isFalse();
    }

    @Test
    void v2QueryWithPatientScope_compartmentThenQuery() {
      Narrow narrow =
          narrowed(
              launched("patient/Observation.rs?category=laboratory")
                  .decide(request(Interaction.SEARCH_TYPE, "Observation", null)));
      assertThat(narrow.parameters())
          .containsExactly(
              Map.entry("subject", List.of("Patient/p")),
              Map.entry("category", List.of("laboratory")));
    }

    @Test
    void unfilteredScopeBesideFiltered_unrestricted() {
      assertThat(
              launched("user/Observation.rs?category=laboratory", "user/Observation.rs")
                  .decide(request(Interaction.SEARCH_TYPE, "Observation", null)))
          .isEqualTo(ScopeDecision.permit());
    }

    @Test
    void systemSearchAndHistory_needWildcardType() {
      for (Interaction interaction :
          List.of(Interaction.SEARCH_SYSTEM, Interaction.HISTORY_SYSTEM)) {
        assertThat(
                launched("system/Observation.rs")
                    .decide(request(interaction, null, null))
                    .allowed())
            .isFalse();
        assertThat(launched("system/*.s").decide(request(interaction, null, null)).allowed())
            .isTrue();
      }
    }
  }

  @Nested
  class Read {
    @Test
    void patientScope_ownPatient_permitted() {
      assertThat(launched("patient/Patient.r").decide(request(Interaction.READ, "Patient", P)))
          .isEqualTo(ScopeDecision.permit());
    }

    @Test
    void patientScope_anotherPatientById_denied() {
      for (Interaction interaction :
          List.of(Interaction.READ, Interaction.VREAD, Interaction.HISTORY_INSTANCE)) {
        assertThat(reason(launched("patient/*.r").decide(request(interaction, "Patient", "q"))))
            .isEqualTo(
                "Insufficient scope: this Patient is outside the token's patient or scope filter");
      }
    }

    @Test
    void patientScope_otherTypes_decidedAfterLoading() {
      ScopePolicy policy = launched("patient/Observation.r");
      assertThat(policy.decide(request(Interaction.READ, "Observation", "o1")).allowed()).isTrue();
      assertThat(policy.show(resource("Observation", P), false).allowed()).isTrue();
      assertThat(reason(policy.show(resource("Observation", "q"), false)))
          .contains("outside the token's patient");
      assertThat(policy.show(resource("Observation"), false).allowed()).isFalse();
    }

    @Test
    void patientScope_typeOutsideCompartment_shown() {
      assertThat(launched("patient/*.r").show(resource("Practitioner"), false).allowed()).isTrue();
    }

    @Test
    void v2Query_shownOnlyWhenMatching() {
      ScopePolicy policy = launched("system/Observation.rs?category=laboratory");
      assertThat(policy.show(filtered("Observation", "q", "laboratory"::equals), false).allowed())
          .isTrue();
      assertThat(policy.show(filtered("Observation", "q", "vital-signs"::equals), false).allowed())
          .isFalse();
    }

    @Test
    void bundleEntry_searchOrReadScopeSuffices() {
      ResourceView other = resource("Observation", "q");
      assertThat(launched("system/Observation.s").show(other, true).allowed()).isTrue();
      assertThat(launched("system/Observation.r").show(other, true).allowed()).isTrue();
      assertThat(launched("system/Observation.s").show(other, false).allowed()).isFalse();
      assertThat(launched("system/Condition.rs").show(other, true).allowed()).isFalse();
    }

    @Test
    void bundleEntry_outsideCompartment_leftOut() {
      ScopePolicy policy = launched("patient/*.rs");
      assertThat(policy.show(resource("Condition", P), true).allowed()).isTrue();
      assertThat(policy.show(resource("Condition", "q"), true).allowed()).isFalse();
      assertThat(policy.show(resource("Condition", "q", P), true).allowed()).isTrue();
    }
  }

  @Nested
  class Write {
    @Test
    void create_namingOnlyThePatient_permitted() {
      assertThat(
              launched("patient/Observation.c")
                  .decide(
                      write(
                          Interaction.CREATE,
                          "Observation",
                          null,
                          resource("Observation", P),
                          null)))
          .isEqualTo(ScopeDecision.permit());
    }

    @Test
    void create_namingAnotherOrASecondPatient_denied() {
      ScopePolicy policy = launched("patient/Observation.c");
      for (ResourceView body :
          List.of(
              resource("Observation", "q"),
              resource("Observation", P, "q"),
              resource("Observation"))) {
        assertThat(
                policy.decide(write(Interaction.CREATE, "Observation", null, body, null)).allowed())
            .as(body.patientIds().toString())
            .isFalse();
      }
    }

    @Test
    void create_patientResourceUnderPatientScope_denied() {
      assertThat(
              launched("patient/Patient.c")
                  .decide(write(Interaction.CREATE, "Patient", null, resource("Patient"), null))
                  .allowed())
          .isFalse();
    }

    @Test
    void update_ownPatientResource_permittedOtherDenied() {
      ScopePolicy policy = launched("patient/Patient.u");
      assertThat(
              policy.decide(write(Interaction.UPDATE, "Patient", P, resource("Patient", P), null)))
          .isEqualTo(ScopeDecision.permit());
      assertThat(
              policy
                  .decide(write(Interaction.UPDATE, "Patient", "q", resource("Patient", "q"), null))
                  .allowed())
          .isFalse();
    }

    @Test
    void create_provenanceWhoseTargetsAreThePatientsRecords_permitted() {
      ResourceView approval = ResourceView.of("Provenance", Set.of(), List.of(P, P), query -> true);
      assertThat(
              launched("patient/Provenance.c")
                  .decide(write(Interaction.CREATE, "Provenance", null, approval, null)))
          .isEqualTo(ScopeDecision.permit());
    }

    @Test
    void create_provenanceWithATargetOfAnotherOrNoRecord_denied() {
      ScopePolicy policy = launched("patient/Provenance.c");
      for (List<String> targets :
          List.of(List.of(P, "q"), Arrays.asList(P, null), List.<String>of())) {
        ResourceView approval = ResourceView.of("Provenance", Set.of(), targets, query -> true);
        assertThat(
                policy
                    .decide(write(Interaction.CREATE, "Provenance", null, approval, null))
                    .allowed())
            .as(targets.toString())
            .isFalse();
      }
    }

    @Test
    void create_v2Query_onlyInsideIt() {
      ScopePolicy policy = launched("system/Observation.c?category=vital-signs");
      assertThat(
              policy
                  .decide(
                      write(
                          Interaction.CREATE,
                          "Observation",
                          null,
                          filtered("Observation", "q", "vital-signs"::equals),
                          null))
                  .allowed())
          .isTrue();
      assertThat(
              policy
                  .decide(
                      write(
                          Interaction.CREATE,
                          "Observation",
                          null,
                          filtered("Observation", "q", "laboratory"::equals),
                          null))
                  .allowed())
          .isFalse();
    }

    @Test
    void updateOrPatch_storedVersionOfAnotherPatient_denied() {
      ScopePolicy policy = launched("patient/Observation.u");
      for (Interaction interaction : List.of(Interaction.UPDATE, Interaction.PATCH)) {
        assertThat(
                reason(
                    policy.decide(
                        write(
                            interaction,
                            "Observation",
                            "o1",
                            resource("Observation", P),
                            resource("Observation", "q")))))
            .contains("outside the token's patient");
      }
    }

    @Test
    void patch_withoutBody_decidedByStoredVersion() {
      ScopePolicy policy = launched("patient/Observation.u");
      assertThat(
              policy
                  .decide(
                      write(
                          Interaction.PATCH, "Observation", "o1", null, resource("Observation", P)))
                  .allowed())
          .isTrue();
    }

    @Test
    void delete_storedVersionDecides() {
      ScopePolicy policy = launched("patient/Observation.d");
      assertThat(
              policy
                  .decide(
                      write(
                          Interaction.DELETE,
                          "Observation",
                          "o1",
                          null,
                          resource("Observation", P)))
                  .allowed())
          .isTrue();
      assertThat(
              policy
                  .decide(
                      write(
                          Interaction.DELETE,
                          "Observation",
                          "o1",
                          null,
                          resource("Observation", "q")))
                  .allowed())
          .isFalse();
      assertThat(
              policy.decide(write(Interaction.DELETE, "Observation", "o1", null, null)).allowed())
          .isTrue();
    }

    @Test
    void unrestrictedScope_neverLooksUpTheStoredVersion() {
      ScopeRequest request =
          ScopeRequest.of(Interaction.DELETE, "Observation", "o1")
              .withExisting(
                  () -> {
                    throw new AssertionError("looked up");
                  });
      assertThat(launched("user/Observation.d").decide(request)).isEqualTo(ScopeDecision.permit());
    }

    @Test
    void deniedScope_neverLooksUpTheStoredVersion() {
      ScopeRequest request =
          ScopeRequest.of(Interaction.DELETE, "Observation", "o1")
              .withExisting(
                  () -> {
                    throw new AssertionError("looked up");
                  });
      assertThat(launched("patient/Observation.rs").decide(request).allowed()).isFalse();
    }
  }

  @Nested
  class Operations {
    @Test
    void everythingOfAnotherPatient_denied() {
      ScopePolicy policy = launched("patient/*.rs");
      ScopeRequest other =
          request(Interaction.OPERATION_INSTANCE, "Patient", "q").withOperation("$everything");
      assertThat(policy.decide(other).allowed()).isFalse();
      ScopeRequest own =
          write(Interaction.OPERATION_INSTANCE, "Patient", P, null, resource("Patient", P))
              .withOperation("$everything");
      assertThat(policy.decide(own).allowed()).isTrue();
    }

    @Test
    void verifyOfAStoredVersionOutsideTheCompartment_denied() {
      ScopeRequest verify =
          write(
                  Interaction.OPERATION_INSTANCE,
                  "Observation",
                  "o1",
                  null,
                  resource("Observation", "q"))
              .withOperation("$verify");
      assertThat(launched("patient/*.r").decide(verify).allowed()).isFalse();
      assertThat(launched("user/*.r").decide(verify).allowed()).isTrue();
    }

    @Test
    void registerKeys_needsItsScope() {
      ScopeRequest register =
          request(Interaction.OPERATION_SERVER, null, null).withOperation("$register-keys");
      assertThat(reason(launched("user/*.*").decide(register)))
          .isEqualTo("Insufficient scope: $register-keys needs the scope register-keys");
      assertThat(launched("user/*.*", "register-keys").decide(register).allowed()).isTrue();
      assertThat(reason(launched("register-keys").decide(register)))
          .isEqualTo("Insufficient scope: no SMART resource scope");
    }

    @Test
    void ledgerHead_needsAnyResourceScope() {
      ScopeRequest head =
          request(Interaction.OPERATION_SERVER, null, null).withOperation("ledger-head");
      assertThat(launched("patient/Observation.r").decide(head).allowed()).isTrue();
      assertThat(launched("openid", "launch").decide(head).allowed()).isFalse();
    }

    @Test
    void other_needsReadOnTheTypeOrTheServer() {
      assertThat(
              launched("user/Observation.r")
                  .decide(request(Interaction.OTHER, "Observation", null))
                  .allowed())
          .isTrue();
      assertThat(
              launched("user/Observation.r")
                  .decide(request(Interaction.OTHER, null, null))
                  .allowed())
          .isFalse();
      assertThat(launched("user/*.r").decide(request(Interaction.OTHER, null, null)).allowed())
          .isTrue();
    }
  }

  @Nested
  class BundleEntries {
    private ScopeRequest entry(String method, String url, String resourceType) {
      return ScopeRequest.entry(method, url, resourceType).orElseThrow();
    }

    @Test
    void entry_typedLikeTheBundleProcessorRunsIt() {
      assertThat(entry("POST", "Observation", "Observation"))
          .extracting(ScopeRequest::interaction, ScopeRequest::type, ScopeRequest::id)
          .containsExactly(Interaction.CREATE, "Observation", null);
      assertThat(entry("POST", null, "Condition"))
          .extracting(ScopeRequest::interaction, ScopeRequest::type)
          .containsExactly(Interaction.CREATE, "Condition");
      assertThat(entry("PUT", "Observation/o1", "Observation"))
          .extracting(ScopeRequest::interaction, ScopeRequest::type, ScopeRequest::id)
          .containsExactly(Interaction.UPDATE, "Observation", "o1");
      assertThat(entry("DELETE", "https://other.example/fhir/Observation/o1", null))
          .extracting(ScopeRequest::interaction, ScopeRequest::type, ScopeRequest::id)
          .containsExactly(Interaction.DELETE, "Observation", "o1");
      assertThat(entry("PATCH", "Observation/o1/_history/3", null))
          .extracting(ScopeRequest::interaction, ScopeRequest::type, ScopeRequest::id)
          .containsExactly(Interaction.PATCH, "Observation", "o1");
      assertThat(entry("GET", "Observation?code=1", null))
          .extracting(ScopeRequest::interaction, ScopeRequest::type, ScopeRequest::id)
          .containsExactly(Interaction.SEARCH_TYPE, "Observation", null);
      assertThat(entry("GET", "Observation/o1", null))
          .extracting(ScopeRequest::interaction, ScopeRequest::id)
          .containsExactly(Interaction.READ, "o1");
      assertThat(entry("HEAD", "Observation", null).interaction())
          .isEqualTo(Interaction.SEARCH_TYPE);
      assertThat(entry("GET", "Observation/o1", null).bundleEntry()).isTrue();
    }

    @Test
    void entry_withoutMethodOrType_leftToTheProcessor() {
      assertThat(ScopeRequest.entry(null, "Observation/o1", null)).isEmpty();
      assertThat(ScopeRequest.entry("PUT", null, "Observation")).isEmpty();
      assertThat(ScopeRequest.entry("POST", "", null)).isEmpty();
    }

    @Test
    void readEntries_needAScopeWithoutLimits() {
      for (String url : List.of("Observation/o1", "Observation?code=1")) {
        ScopeRequest read = entry("GET", url, null);
        assertThat(reason(launched("patient/Observation.rs").decide(read)))
            .isEqualTo(
                "Insufficient scope: reads in a batch need a scope without patient or filter"
                    + " limits");
        assertThat(reason(launched("system/Observation.rs?category=laboratory").decide(read)))
            .contains("reads in a batch");
        assertThat(launched("system/Observation.rs").decide(read).allowed()).isTrue();
        assertThat(reason(launched("system/Condition.rs").decide(read))).contains("does not allow");
      }
    }

    @Test
    void readEntry_readOrSearchPermissionByItsUrl() {
      assertThat(
              launched("system/Observation.s")
                  .decide(entry("GET", "Observation/o1", null))
                  .allowed())
          .isFalse();
      assertThat(
              launched("system/Observation.s")
                  .decide(entry("GET", "Observation?code=1", null))
                  .allowed())
          .isTrue();
    }

    @Test
    void writeEntries_decidedLikeTheirInteraction() {
      ScopePolicy policy = launched("patient/Observation.cud");
      assertThat(
              policy
                  .decide(
                      entry("POST", "Observation", "Observation")
                          .withIncoming(resource("Observation", P)))
                  .allowed())
          .isTrue();
      assertThat(
              policy
                  .decide(
                      entry("POST", "Observation", "Observation")
                          .withIncoming(resource("Observation", "q")))
                  .allowed())
          .isFalse();
      assertThat(
              policy
                  .decide(
                      entry("DELETE", "http://x/fhir/Observation/o1", null)
                          .withExisting(() -> Optional.of(resource("Observation", "q"))))
                  .allowed())
          .isFalse();
      assertThat(
              policy
                  .decide(
                      entry("PUT", "Observation/o1", "Observation")
                          .withIncoming(resource("Observation", P))
                          .withExisting(() -> Optional.of(resource("Observation", P))))
                  .allowed())
          .isTrue();
      assertThat(
              launched("patient/Observation.rs")
                  .decide(
                      entry("POST", null, "Observation").withIncoming(resource("Observation", P)))
                  .allowed())
          .isFalse();
    }
  }

  @Test
  void narrow_parametersCannotBeChangedAfterwards() {
    Narrow narrow =
        narrowed(
            launched("patient/*.rs").decide(request(Interaction.SEARCH_TYPE, "Condition", null)));
    assertThatThrownBy(() -> narrow.parameters().get("subject").add("Patient/q"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
