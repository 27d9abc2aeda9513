package org.healthgateway.mappings;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.ValueSet;

/** Puts R4 resources into {@link DataCategory data categories} and publishes the terminology. */
public final class DataCategories {

  /** Canonical URL of the data-category CodeSystem. */
  public static final String CODE_SYSTEM_URL =
      "https://healthgateway.org/fhir/CodeSystem/data-category";

  /** Canonical URL of the ValueSet holding every data category. */
  public static final String VALUE_SET_URL =
      "https://healthgateway.org/fhir/ValueSet/data-category";

  private static final FhirTerser TERSER = FhirContext.forR4Cached().newTerser();
  private static final Map<String, List<Entry>> RULES_BY_TYPE = indexRules();

  private DataCategories() {}

  /**
   * The codes of the categories the resource belongs to.
   *
   * @return codes in {@link #CODE_SYSTEM_URL}; empty for a type no category covers
   */
  public static Set<String> categorize(IBaseResource resource) {
    return categories(resource).stream().map(DataCategory::code).collect(toOrderedSet());
  }

  /** The categories the resource belongs to, in declaration order; empty if none. */
  public static Set<DataCategory> categories(IBaseResource resource) {
    List<Entry> entries = RULES_BY_TYPE.get(resourceType(resource));
    if (entries == null) {
      return Set.of();
    }
    Set<String> tokens = categoryTokens(resource, entries);
    EnumSet<DataCategory> matched = EnumSet.noneOf(DataCategory.class);
    for (Entry entry : entries) {
      if (!entry.rule().fallback() && ruleMatches(entry.rule(), tokens)) {
        matched.add(entry.category());
      }
    }
    if (matched.isEmpty()) {
      entries.stream()
          .filter(entry -> entry.rule().fallback())
          .forEach(entry -> matched.add(entry.category()));
    }
    return Collections.unmodifiableSet(matched);
  }

  /** The resource types at least one category covers. */
  public static Set<String> mappedResourceTypes() {
    return RULES_BY_TYPE.keySet();
  }

  /** A new R4 CodeSystem resource listing every category. */
  public static CodeSystem codeSystem() {
    CodeSystem codeSystem = new CodeSystem();
    codeSystem.setId("data-category");
    codeSystem.setUrl(CODE_SYSTEM_URL);
    codeSystem.setName("DataCategory");
    codeSystem.setTitle("Health gateway data categories");
    codeSystem.setStatus(PublicationStatus.ACTIVE);
    codeSystem.setCaseSensitive(true);
    codeSystem.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
    codeSystem.setValueSet(VALUE_SET_URL);
    codeSystem.setDescription(
        "Categories of health data a patient shares or withholds as a unit in a Consent.");
    for (DataCategory category : DataCategory.values()) {
      codeSystem
          .addConcept()
          .setCode(category.code())
          .setDisplay(category.display())
          .setDefinition(category.definition());
    }
    codeSystem.setCount(DataCategory.values().length);
    return codeSystem;
  }

  /** A new R4 ValueSet resource composing every category (no expansion: it needs a clock). */
  public static ValueSet valueSet() {
    ValueSet valueSet = new ValueSet();
    valueSet.setId("data-category");
    valueSet.setUrl(VALUE_SET_URL);
    valueSet.setName("DataCategory");
    valueSet.setTitle("Health gateway data categories");
    valueSet.setStatus(PublicationStatus.ACTIVE);
    ValueSet.ConceptSetComponent include = valueSet.getCompose().addInclude();
    include.setSystem(CODE_SYSTEM_URL);
    for (DataCategory category : DataCategory.values()) {
      include.addConcept().setCode(category.code()).setDisplay(category.display());
    }
    return valueSet;
  }

  private static boolean ruleMatches(MappingRule rule, Set<String> tokens) {
    return !rule.restrictsCategory() || !Collections.disjoint(rule.categoryTokens(), tokens);
  }

  private static Set<String> categoryTokens(IBaseResource resource, List<Entry> entries) {
    if (entries.stream().noneMatch(entry -> entry.rule().restrictsCategory())) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    String path = resourceType(resource) + ".category.coding";
    for (Coding coding : TERSER.getValues(resource, path, Coding.class)) {
      tokens.add(coding.getSystem() + "|" + coding.getCode());
    }
    return tokens;
  }

  private static String resourceType(IBaseResource resource) {
    return FhirContext.forR4Cached().getResourceType(resource);
  }

  private static Map<String, List<Entry>> indexRules() {
    Map<String, List<Entry>> index = new TreeMap<>();
    for (DataCategory category : DataCategory.values()) {
      for (MappingRule rule : category.rules()) {
        index
            .computeIfAbsent(rule.resourceType(), type -> new ArrayList<>())
            .add(new Entry(category, rule));
      }
    }
    index.replaceAll((type, entries) -> List.copyOf(entries));
    return Collections.unmodifiableMap(index);
  }

  private static <T> Collector<T, ?, Set<T>> toOrderedSet() {
    return Collectors.collectingAndThen(
        Collectors.toCollection(LinkedHashSet::new), Collections::unmodifiableSet);
  }

  private record Entry(DataCategory category, MappingRule rule) {}
}
