package org.healthgateway.keys.consent;

import java.util.Optional;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;

/** Code systems and reference handling shared by the consent classes. */
final class Terms {

  static final String CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction";
  static final String CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
  static final String RESTRICTED = CONFIDENTIALITY + "|R";
  static final String VERY_RESTRICTED = CONFIDENTIALITY + "|V";

  private Terms() {}

  /**
   * A reference as {@code Type/id}; empty for contained ({@code #x}), {@code urn:} and conditional
   * references and for anything without a type.
   */
  static Optional<String> typedReference(String reference) {
    if (reference == null
        || reference.isBlank()
        || reference.startsWith("#")
        || reference.startsWith("urn:")
        || reference.contains("?")) {
      return Optional.empty();
    }
    IdType id = new IdType(reference);
    if (!id.hasResourceType() || !id.hasIdPart()) {
      return Optional.empty();
    }
    return Optional.of(id.getResourceType() + "/" + id.getIdPart());
  }

  /** {@code system|code}, or empty if either is missing. */
  static Optional<String> token(Coding coding) {
    if (!coding.hasSystem() || !coding.hasCode()) {
      return Optional.empty();
    }
    return Optional.of(coding.getSystem() + "|" + coding.getCode());
  }

  /** {@code Consent/<id>} of the consent, or {@code Consent/?} if it has no id. */
  static String consentId(Consent consent) {
    IdType id = consent.getIdElement();
    return "Consent/" + (id.hasIdPart() ? id.getIdPart() : "?");
  }
}
