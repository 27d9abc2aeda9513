package org.healthgateway.keys.consent;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Consent;

/** The golden proposal {@code proposal.json}: Practitioner/b asks Patient/p for two categories. */
final class ProposalFixture {

  static final FhirContext CTX = FhirContext.forR4Cached();

  private ProposalFixture() {}

  static Consent load() {
    try (InputStream in = ProposalFixture.class.getResourceAsStream("proposal.json")) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return CTX.newJsonParser().parseResource(Consent.class, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
