package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Synthea sample in {@code shared.data.dir/synthea}: directory batch Bundles (organizations,
 * locations, practitioners), per-patient transaction Bundles and the incremental patients, with the
 * facts the tests expect the server to reproduce.
 */
final class SyntheaData {

  static final Set<String> DIRECTORY_TYPES =
      Set.of("Organization", "Location", "Practitioner", "PractitionerRole");

  private static final ObjectMapper JSON = new ObjectMapper();

  private SyntheaData() {}

  static Path syntheaDir() {
    String dir = System.getProperty("shared.data.dir", "../../shared/data");
    Path synthea = Paths.get(dir).resolve("synthea");
    assertThat(synthea).as("Synthea data (shared.data.dir)").isDirectory();
    return synthea;
  }

  /** {@code hospitalInformation*.json} then {@code practitionerInformation*.json}. */
  static List<Path> directoryBundles() {
    List<Path> bundles = new ArrayList<>();
    bundles.addAll(list(syntheaDir(), name -> name.startsWith("hospitalInformation")));
    bundles.addAll(list(syntheaDir(), name -> name.startsWith("practitionerInformation")));
    assertThat(bundles).hasSize(2);
    return bundles;
  }

  /** Patient transaction Bundles of the main set followed by those of {@code incremental/}. */
  static List<Path> patientBundles() {
    Predicate<String> patient =
        name ->
            !name.startsWith("hospitalInformation") && !name.startsWith("practitionerInformation");
    List<Path> bundles = new ArrayList<>(list(syntheaDir(), patient));
    bundles.addAll(list(syntheaDir().resolve("incremental"), patient));
    assertThat(bundles).isNotEmpty();
    return bundles;
  }

  private static List<Path> list(Path dir, Predicate<String> filter) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(path -> path.getFileName().toString().endsWith(".json"))
          .filter(path -> filter.test(path.getFileName().toString()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BundleFile read(Path path) {
    try {
      JsonNode bundle = JSON.readTree(path.toFile());
      List<Entry> entries = new ArrayList<>();
      for (JsonNode entry : bundle.path("entry")) {
        JsonNode resource = entry.path("resource");
        JsonNode request = entry.path("request");
        entries.add(
            new Entry(
                entry.path("fullUrl").asText(null),
                resource.path("resourceType").asText(),
                request.path("ifNoneExist").asText(null),
                resource));
      }
      return new BundleFile(path, bundle.path("type").asText(), List.copyOf(entries));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One Bundle file as sent. */
  record BundleFile(Path path, String type, List<Entry> entries) {

    String name() {
      return path.getFileName().toString();
    }

    Entry patient() {
      return entries.stream()
          .filter(entry -> entry.resourceType().equals("Patient"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no Patient in " + path));
    }

    List<Entry> ofType(String resourceType) {
      return entries.stream().filter(entry -> entry.resourceType().equals(resourceType)).toList();
    }

    /** Observations with a category coding of the given code. */
    long observationsInCategory(String code) {
      return ofType("Observation").stream()
          .filter(entry -> hasCoding(entry.resource().path("category"), null, code))
          .count();
    }

    /** Encounters whose period reaches {@code from} or later (FHIR {@code ge} on a Period). */
    long encountersEndingOnOrAfter(OffsetDateTime from) {
      return ofType("Encounter").stream()
          .filter(
              entry -> {
                JsonNode period = entry.resource().path("period");
                String end = period.path("end").asText(period.path("start").asText());
                return !OffsetDateTime.parse(end).isBefore(from);
              })
          .count();
    }

    long conditionsWithCode(String system, String code) {
      return ofType("Condition").stream()
          .filter(entry -> hasCoding(entry.resource().path("code"), system, code))
          .count();
    }
  }

  /** One Bundle entry as sent: its fullUrl, type, conditional-create criteria and resource. */
  record Entry(String fullUrl, String resourceType, String ifNoneExist, JsonNode resource) {}

  private static boolean hasCoding(JsonNode concepts, String system, String code) {
    List<JsonNode> list = new ArrayList<>();
    if (concepts.isArray()) {
      concepts.forEach(list::add);
    } else if (!concepts.isMissingNode()) {
      list.add(concepts);
    }
    for (JsonNode concept : list) {
      for (JsonNode coding : concept.path("coding")) {
        if (code.equals(coding.path("code").asText())
            && (system == null || system.equals(coding.path("system").asText()))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Strings of one patient that must never be stored in clear: names, address lines and cities and
   * identifier values of the Patient, and every {@code display} of the patient's resources.
   */
  static Set<String> sensitiveStrings(BundleFile bundle) {
    Set<String> strings = new LinkedHashSet<>();
    JsonNode patient = bundle.patient().resource();
    for (JsonNode name : patient.path("name")) {
      strings.add(name.path("family").asText(""));
      name.path("given").forEach(given -> strings.add(given.asText()));
    }
    for (JsonNode address : patient.path("address")) {
      address.path("line").forEach(line -> strings.add(line.asText()));
      strings.add(address.path("city").asText(""));
    }
    patient.path("identifier").forEach(id -> strings.add(id.path("value").asText("")));
    for (Entry entry : bundle.entries()) {
      collectDisplays(entry.resource(), strings);
    }
    strings.remove("");
    return strings;
  }

  private static void collectDisplays(JsonNode node, Set<String> strings) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("display") && field.getValue().isTextual()) {
          strings.add(field.getValue().asText());
        } else {
          collectDisplays(field.getValue(), strings);
        }
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectDisplays(child, strings));
    }
  }

  /** Every string value in the given Bundles (public directory content). */
  static Set<String> allStringValues(List<BundleFile> bundles) {
    Set<String> strings = new java.util.HashSet<>();
    for (BundleFile bundle : bundles) {
      bundle.entries().forEach(entry -> collectStrings(entry.resource(), strings));
    }
    return strings;
  }

  /** Every {@code code} value of every coding in the given Bundles. */
  static Set<String> allCodes(List<BundleFile> bundles) {
    Set<String> codes = new java.util.HashSet<>();
    for (BundleFile bundle : bundles) {
      bundle.entries().forEach(entry -> collectCodes(entry.resource(), codes));
    }
    return codes;
  }

  private static void collectStrings(JsonNode node, Set<String> strings) {
    if (node.isTextual()) {
      strings.add(node.asText());
    } else if (node.isContainerNode()) {
      node.forEach(child -> collectStrings(child, strings));
    }
  }

  private static void collectCodes(JsonNode node, Set<String> codes) {
    if (node.isObject()) {
      if (node.has("code") && node.get("code").isTextual()) {
        codes.add(node.get("code").asText().toLowerCase(java.util.Locale.ROOT));
      }
      node.forEach(child -> collectCodes(child, codes));
    } else if (node.isArray()) {
      node.forEach(child -> collectCodes(child, codes));
    }
  }
}
