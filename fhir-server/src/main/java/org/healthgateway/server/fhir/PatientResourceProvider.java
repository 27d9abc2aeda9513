package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import org.healthgateway.server.requester.Requester;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Patient;

/** The Patient provider adds {@code $everything} to the generic interactions. */
public final class PatientResourceProvider extends GenericResourceProvider {

  public PatientResourceProvider(ResourceService service, LedgerOperations ledgerOperations) {
    super(Patient.class, service, ledgerOperations);
  }

  /** The patient's whole record that the requester holds keys for. */
  @Operation(name = "$everything", idempotent = true)
  public IBundleProvider everything(@IdParam IIdType id) {
    String requester = Requester.current();
    return Bundles.list(service.everything(id.getIdPart(), requester), requester);
  }
}
