package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A stolen disk shows no patient's name, address, identifiers or coded clinical text: after the
 * Synthea load, none of them occurs in any file of the data directory.
 */
@Order(8)
class NoPlaintextAtRestTest {

  @Test
  void dataDir_afterSyntheaLoad_holdsNoPatientPlaintext() throws Exception {
    LoadedGateway loaded = LoadedGateway.shared();
    loaded.assertFullyLoaded(); // scanning an empty ledger would prove nothing
    List<SyntheaData.BundleFile> directory =
        SyntheaData.directoryBundles().stream().map(SyntheaData::read).toList();
    Set<String> publicStrings = SyntheaData.allStringValues(directory);
    // Directory resources are public and may be stored in clear; "White" is also in "Dr. X White1".
    String publicText = String.join("\n", publicStrings);
    Set<String> codes = new HashSet<>(SyntheaData.allCodes(directory));
    loaded.patients.forEach(bundle -> codes.addAll(SyntheaData.allCodes(List.of(bundle.file()))));

    // Resource types and category codes are clear-text ledger metadata by design
    // (key-broker/README).
    Set<String> resourceTypes = new HashSet<>();
    Fhir.CTX.getResourceTypes().forEach(type -> resourceTypes.add(type.toLowerCase(Locale.ROOT)));
    PlaintextScanner scanner = new PlaintextScanner();
    int strings = 0;
    for (LoadedGateway.LoadedBundle bundle : loaded.patients) {
      for (String text : SyntheaData.sensitiveStrings(bundle.file())) {
        if (text.length() < PlaintextScanner.MIN_LENGTH
            || publicText.contains(text)
            || codes.contains(text.toLowerCase(Locale.ROOT))
            || resourceTypes.contains(text.toLowerCase(Locale.ROOT))) {
          continue;
        }
        scanner.add(text, bundle.file().name());
        strings++;
      }
    }
    assertThat(strings).as("sensitive strings to look for").isGreaterThan(100);

    // Stop the server so that everything it buffers is on disk; the next user restarts it.
    loaded.gateway.stop();
    Optional<PlaintextScanner.Hit> hit = scanner.scan(loaded.gateway.dataDir());
    assertThat(hit).as("plaintext found at rest").isEmpty();
  }
}
