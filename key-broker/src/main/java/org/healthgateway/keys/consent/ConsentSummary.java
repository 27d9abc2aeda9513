package org.healthgateway.keys.consent;

import java.util.Collection;
import java.util.TreeSet;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Period;

/**
 * Renders a Consent's scope as one line, for audit records and the patient app, e.g. {@code
 * Consent/c1 active: permit actor=Practitioner/b code=allergies,operations
 * period=2025-01-01..2025-12-31 [deny label=http://...|R]}. Lists are sorted, so the text depends
 * only on the content.
 */
final class ConsentSummary {

  private ConsentSummary() {}

  static String of(Consent consent) {
    String status = consent.hasStatus() ? consent.getStatus().toCode() : "no-status";
    StringBuilder text = new StringBuilder(Terms.consentId(consent)).append(' ').append(status);
    if (!ConsentStructure.problems(consent).isEmpty()) {
      return text.append(": invalid").toString();
    }
    if (!consent.hasProvision()) {
      return text.append(": no provision").toString();
    }
    text.append(": ");
    append(text, consent.getProvision());
    return text.toString();
  }

  private static void append(StringBuilder text, ProvisionComponent provision) {
    text.append(provision.hasType() ? provision.getType().toCode() : "rules");
    list(text, "actor", provision.getActor().stream().map(ConsentSummary::reference).toList());
    list(text, "class", provision.getClass_().stream().map(Coding::getCode).toList());
    list(
        text,
        "code",
        provision.getCode().stream()
            .flatMap(c -> c.getCoding().stream())
            .map(ConsentSummary::category)
            .toList());
    list(text, "label", provision.getSecurityLabel().stream().map(ConsentSummary::token).toList());
    list(
        text,
        "action",
        provision.getAction().stream()
            .flatMap(c -> c.getCoding().stream())
            .map(Coding::getCode)
            .toList());
    period(text, "period", provision.getPeriod());
    period(text, "dataPeriod", provision.getDataPeriod());
    if (provision.hasData()) {
      text.append(" data=").append(provision.getData().size());
    }
    for (ProvisionComponent child : provision.getProvision()) {
      text.append(" [");
      append(text, child);
      text.append(']');
    }
  }

  private static String reference(Consent.provisionActorComponent actor) {
    String reference = actor.getReference().getReference();
    return Terms.typedReference(reference).orElse(String.valueOf(reference));
  }

  private static String category(Coding coding) {
    return DataCategories.CODE_SYSTEM_URL.equals(coding.getSystem())
        ? coding.getCode()
        : token(coding);
  }

  private static String token(Coding coding) {
    return coding.getSystem() + "|" + coding.getCode();
  }

  private static void list(StringBuilder text, String name, Collection<String> values) {
    if (!values.isEmpty()) {
      TreeSet<String> sorted = new TreeSet<>();
      values.forEach(value -> sorted.add(String.valueOf(value)));
      text.append(' ').append(name).append('=').append(String.join(",", sorted));
    }
  }

  private static void period(StringBuilder text, String name, Period period) {
    if (!FhirTime.isOpen(period)) {
      text.append(' ')
          .append(name)
          .append('=')
          .append(
              period.getStartElement().hasValue() ? period.getStartElement().asStringValue() : "")
          .append("..")
          .append(period.getEndElement().hasValue() ? period.getEndElement().asStringValue() : "");
    }
  }
}
