package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the scale run has written into its data directory, kept next to it ({@code
 * scale-state.json}) so that a later run grows the same ledger: the server id of every complete
 * synthetic patient by number, the resources per patient, and the patients already searched.
 *
 * <p>Each size searches a patient never searched before: every search writes AuditEvents into the
 * patient's compartment, so a patient searched at an earlier size no longer has {@code perPatient}
 * resources.
 */
final class ScaleState {

  private final Path file;
  private final int perPatient;
  private final TreeMap<Integer, String> patients = new TreeMap<>();
  private final TreeSet<Integer> searched = new TreeSet<>();

  private ScaleState(Path file, int perPatient) {
    this.file = file;
    this.perPatient = perPatient;
  }

  /** Reads the state file, or starts an empty state when there is none. */
  static ScaleState open(Path file, int perPatient) throws IOException {
    ScaleState state = new ScaleState(file, perPatient);
    if (!Files.exists(file)) {
      return state;
    }
    JsonNode node = FhirHttp.json().readTree(file.toFile());
    int stored = node.path("perPatient").asInt();
    if (stored != perPatient) {
      throw new IllegalArgumentException(
          file + " was grown with --per-patient " + stored + ", not " + perPatient);
    }
    node.path("patients")
        .properties()
        .forEach(e -> state.patients.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
    node.path("searched").forEach(n -> state.searched.add(n.asInt()));
    return state;
  }

  int perPatient() {
    return perPatient;
  }

  /** The next patient number; a patient interrupted half-way is not recorded and is redone. */
  synchronized int nextNumber() {
    return patients.isEmpty() ? 0 : patients.lastKey() + 1;
  }

  /** The lowest-numbered complete patient not searched yet, or null when there is none. */
  synchronized Map.Entry<Integer, String> unsearchedPatient() {
    return patients.entrySet().stream()
        .filter(e -> !searched.contains(e.getKey()))
        .findFirst()
        .orElse(null);
  }

  /** Records that a patient was searched (its compartment now holds AuditEvents too). */
  synchronized void searched(int number) throws IOException {
    searched.add(number);
    save();
  }

  /**
   * Records as searched every complete patient among {@code references} ({@code Patient/<id>},
   * relative or absolute): another search's AuditEvents went into their compartments.
   *
   * @return how many were newly marked
   */
  synchronized int searchedByReference(Collection<String> references) throws IOException {
    int marked = 0;
    for (Map.Entry<Integer, String> e : patients.entrySet()) {
      String ref = "Patient/" + e.getValue();
      boolean named = references.stream().anyMatch(r -> r.equals(ref) || r.endsWith("/" + ref));
      if (named && searched.add(e.getKey())) {
        marked++;
      }
    }
    save();
    return marked;
  }

  /** Records a patient whose every Bundle was written, and rewrites the file. */
  synchronized void add(int number, String id) throws IOException {
    patients.put(number, id);
    save();
  }

  private void save() throws IOException {
    ObjectNode node = FhirHttp.json().createObjectNode();
    node.put("perPatient", perPatient);
    ObjectNode byNumber = node.putObject("patients");
    for (Map.Entry<Integer, String> e : patients.entrySet()) {
      byNumber.put(Integer.toString(e.getKey()), e.getValue());
    }
    searched.forEach(node.putArray("searched")::add);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    FhirHttp.json().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), node);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
