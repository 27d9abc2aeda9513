package org.healthgateway.mappings;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;

/** Loads the Synthea patient bundles from the shared test data folder. */
final class SyntheaBundles {

  private SyntheaBundles() {}

  static Path dataDir() {
    return Paths.get(System.getProperty("shared.data.dir", "../../shared/data"), "synthea");
  }

  /** Every per-patient transaction bundle (not the hospital and practitioner batches). */
  static List<Path> patientBundleFiles() {
    try (Stream<Path> files = Files.list(dataDir())) {
      List<Path> bundles =
          files
              .filter(path -> path.toString().endsWith(".json"))
              .filter(path -> !path.getFileName().toString().startsWith("hospitalInformation"))
              .filter(path -> !path.getFileName().toString().startsWith("practitionerInformation"))
              .sorted()
              .toList();
      if (bundles.isEmpty()) {
        throw new IllegalStateException("No Synthea bundles in " + dataDir().toAbsolutePath());
      }
      return bundles;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path directoryBundleFile(String prefix) {
    try (Stream<Path> files = Files.list(dataDir())) {
      return files
          .filter(path -> path.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Bundle read(Path file) {
    try {
      String json = Files.readString(file, StandardCharsets.UTF_8);
      return FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
