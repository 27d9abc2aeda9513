package org.healthgateway.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import java.util.UUID;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.mappings.DataCategory;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * The consent flow's messages that only the load driver sends: the vital-signs Observations a round
 * covers and a proposal scoped to them by {@code dataPeriod}; with the JSON encoding. The messages
 * the conformance tests send as well (key registration, proposal, signed approval, release) come
 * from test-fixtures.
 */
final class ConsentMessages {

  static final DataCategory CATEGORY = DataCategory.VITAL_SIGNS;

  /** Half the width of a round's {@code provision.dataPeriod} around its data date. */
  private static final long DATA_PERIOD_SLACK_SECONDS = 10;

  private static final String OBSERVATION_CATEGORY =
      "http://terminology.hl7.org/CodeSystem/observation-category";
  private static final String UCUM = "http://unitsofmeasure.org";

  private final FhirContext ctx = FhirContext.forR4Cached();

  byte[] encode(IBaseResource resource) {
    return ctx.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
  }

  <T extends IBaseResource> T parse(Class<T> type, byte[] body) {
    return ctx.newJsonParser().parseResource(type, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * A transaction of {@code count} heart-rate Observations (vital signs) of the patient, all dated
   * {@code dataDate}, so that a round's consent can select exactly them by {@code dataPeriod}.
   */
  Bundle observations(String patient, Instant dataDate, int first, int count) {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    for (int i = first; i < first + count; i++) {
      Observation o = new Observation();
      o.setStatus(Observation.ObservationStatus.FINAL);
      o.addCategory(
          new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")));
      o.setCode(new CodeableConcept(new Coding("http://loinc.org", "8867-4", "Heart rate")));
      o.setSubject(new Reference(patient));
      o.setEffective(seconds(dataDate));
      o.setValue(
          new Quantity().setValue(55 + i % 50).setUnit("/min").setSystem(UCUM).setCode("/min"));
      bundle
          .addEntry()
          .setResource(o)
          .setFullUrl("urn:uuid:" + UUID.randomUUID())
          .getRequest()
          .setMethod(Bundle.HTTPVerb.POST)
          .setUrl("Observation");
    }
    return bundle;
  }

  /**
   * A practitioner's access request: permit {@code actor} to read the patient's vital signs dated
   * within a few seconds of {@code dataDate}.
   */
  Consent proposal(String patient, String actor, Instant dataDate) {
    Consent consent =
        ConsentRequests.withCategories(ConsentRequests.proposal(patient, actor), CATEGORY.code());
    consent
        .getProvision()
        .setDataPeriod(
            new Period()
                .setStartElement(seconds(dataDate.minusSeconds(DATA_PERIOD_SLACK_SECONDS)))
                .setEndElement(seconds(dataDate.plusSeconds(DATA_PERIOD_SLACK_SECONDS))));
    return consent;
  }

  private static DateTimeType seconds(Instant instant) {
    return new DateTimeType(
        Date.from(instant), TemporalPrecisionEnum.SECOND, TimeZone.getTimeZone("UTC"));
  }
}
