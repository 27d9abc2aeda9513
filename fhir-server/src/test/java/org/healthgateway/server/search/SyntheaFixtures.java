package org.healthgateway.server.search;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * One Synthea patient bundle as the gateway stores it: {@code urn:uuid:} references rewritten to
 * {@code Type/id}, as transaction processing does.
 */
final class SyntheaFixtures {

  static final FhirContext CTX = FhirContext.forR4Cached();

  private SyntheaFixtures() {}

  static Path syntheaDir() {
    return Paths.get(System.getProperty("shared.data.dir", "../../shared/data"), "synthea");
  }

  static List<Resource> stored(String fileNamePrefix) {
    Bundle bundle = read(fileNamePrefix);
    Map<String, String> byFullUrl = new HashMap<>();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      Resource resource = entry.getResource();
      byFullUrl.put(entry.getFullUrl(), resource.fhirType() + "/" + resource.getIdPart());
    }
    List<Resource> resources = new ArrayList<>();
    for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
      Resource resource = entry.getResource();
      resource.setId(resource.fhirType() + "/" + resource.getIdPart());
      for (Reference reference :
          CTX.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
        String target = byFullUrl.get(reference.getReference());
        if (target != null) {
          reference.setReference(target);
        }
      }
      resources.add(resource);
    }
    return resources;
  }

  private static Bundle read(String fileNamePrefix) {
    try (var files = Files.list(syntheaDir())) {
      Path file =
          files
              .filter(path -> path.getFileName().toString().startsWith(fileNamePrefix))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("No bundle " + fileNamePrefix));
      String json = Files.readString(file, StandardCharsets.UTF_8);
      return CTX.newJsonParser().parseResource(Bundle.class, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
