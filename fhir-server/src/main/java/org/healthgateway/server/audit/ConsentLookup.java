package org.healthgateway.server.audit;

import java.util.List;
import java.util.Optional;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Coding;

/**
 * What the access log asks the consent side: which Consent granted a read, and for what purpose.
 */
public interface ConsentLookup {
  /** Names no consent: for tests and nodes without consents. */
  ConsentLookup NONE =
      new ConsentLookup() {
        @Override
        public Optional<String> grantingConsent(VersionMeta meta, String requester) {
          return Optional.empty();
        }

        @Override
        public List<Coding> purposes(String patientId, String consent) {
          return List.of();
        }
      };

  /**
   * The Consent ({@code Consent/id}) that permitted {@code requester} to open the version; empty
   * when no consent was needed (an author, public content).
   */
  Optional<String> grantingConsent(VersionMeta meta, String requester);

  /** The purposes of use ({@code provision.purpose}) of the patient's Consent; empty if none. */
  List<Coding> purposes(String patientId, String consent);
}
