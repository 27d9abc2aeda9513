package org.healthgateway.server.audit;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Coding;

/**
 * One reported access, waiting for the next flush.
 *
 * @param requester who acted: the reader, the writer of a Consent, the releasing party
 * @param onBehalfOf the patient a registrar or the node acted for, or null
 * @param recipient who received the keys of a release, or null
 * @param consent the Consent a release was made under ({@code Consent/id}), or null
 * @param request the HTTP request's parties, or null outside a request
 * @param grantedBy the Consents that permitted the versions to be read ({@code Consent/id})
 * @param purposes the purposes of use of those Consents (or of the Consent written or released)
 */
record Access(
    String requester,
    String onBehalfOf,
    String recipient,
    String consent,
    String patientId,
    List<VersionMeta> versions,
    String action,
    String refusal,
    Instant at,
    RequestFacts request,
    List<String> grantedBy,
    List<Coding> purposes) {

  /** Accesses with the same key become one AuditEvent. */
  List<Object> key() {
    return Arrays.asList(
        requester,
        onBehalfOf,
        recipient,
        consent,
        patientId,
        action,
        refusal,
        request == null ? null : request.key());
  }
}
