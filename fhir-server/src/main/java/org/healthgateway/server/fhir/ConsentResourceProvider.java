package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import org.healthgateway.keys.wallet.PatientWallet;
import org.healthgateway.server.consent.KeyReleaseService;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.Refused;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;

/**
 * Consent adds the key-release operations to the generic interactions: {@code
 * Consent/[id]/$wrapped-keys} (the patient's own wrapped data keys in the consent's scope) and
 * {@code Consent/[id]/$release} (the patient's signed re-wraps for the actor).
 */
public final class ConsentResourceProvider extends GenericResourceProvider {
  private final KeyReleaseService releases;

  public ConsentResourceProvider(
      ResourceService service, LedgerOperations ledgerOperations, KeyReleaseService releases) {
    super(Consent.class, service, ledgerOperations);
    this.releases = releases;
  }

  /**
   * For each actor: {@code actor}, {@code actorKey} (public JWK), and one {@code key} per version
   * with parts {@code reference}, {@code grant} (JWE for the patient) and {@code dataKey} (A256KW).
   */
  @Operation(name = "$wrapped-keys", idempotent = true)
  public Parameters wrappedKeys(@IdParam IIdType id) {
    List<KeyReleaseService.ReleaseRequest> requests;
    try {
      requests = releases.heldKeys(id.getIdPart(), Requester.current());
    } catch (Refused refused) {
      throw Errors.map(refused);
    }
    Parameters result = new Parameters();
    for (KeyReleaseService.ReleaseRequest request : requests) {
      Parameters.ParametersParameterComponent actor = result.addParameter().setName("release");
      actor.addPart().setName("actor").setValue(new StringType(request.actor()));
      actor
          .addPart()
          .setName("actorKey")
          .setValue(new StringType(request.actorKey().toJSONString()));
      for (PatientWallet.HeldKey key : request.keys()) {
        Parameters.ParametersParameterComponent part = actor.addPart().setName("key");
        part.addPart().setName("reference").setValue(new StringType(key.reference()));
        part.addPart().setName("grant").setValue(new StringType(key.grantJwe()));
        part.addPart().setName("dataKey").setValue(new Base64BinaryType(key.wrappedDataKey()));
      }
    }
    return result;
  }

  /** Records a signed release: {@code statement} (base64 JSON) and {@code signature} (JWS). */
  @Operation(name = "$release")
  public Parameters release(
      @IdParam IIdType id,
      @OperationParam(name = "statement", min = 1, max = 1) Base64BinaryType statement,
      @OperationParam(name = "signature", min = 1, max = 1) StringType signature) {
    if (statement == null || signature == null || statement.getValue() == null) {
      throw new InvalidRequestException("$release needs a statement and a signature");
    }
    int released;
    try {
      released =
          releases.release(
              id.getIdPart(), statement.getValue(), signature.getValue(), Requester.current());
    } catch (Refused refused) {
      throw Errors.map(refused);
    }
    Parameters result = new Parameters();
    result.addParameter().setName("released").setValue(new IntegerType(released));
    return result;
  }
}
