package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.healthgateway.server.audit.AuditPolicy;
import org.healthgateway.server.audit.AuditService;
import org.healthgateway.server.audit.RetentionFilter;
import org.healthgateway.server.requester.Requester;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;

/**
 * AuditEvent: read and search for the patient (its own access log, opened with its own key) and for
 * auditors ({@code gateway.audit.auditors}: every AuditEvent, opened with the audit identity's
 * key), plus {@code AuditEvent/$export-ndjson} for auditors; 403 for anyone else. AuditEvents are
 * written by the gateway alone, so there is no create, update or delete. Expired AuditEvents
 * (retention) are served to nobody.
 */
public final class AuditEventProvider implements IResourceProvider {
  static final String REFUSED =
      "AuditEvents are served to their patient and to auditors (gateway.audit.auditors)";

  private final ResourceService service;
  private final AuditPolicy policy;
  private final RetentionFilter retention;
  private final String auditor;

  public AuditEventProvider(
      ResourceService service, AuditPolicy policy, RetentionFilter retention) {
    this(service, policy, retention, AuditService.AUDITOR);
  }

  /** {@code auditor}: the access log's identity, whose key opens every AuditEvent for auditors. */
  public AuditEventProvider(
      ResourceService service, AuditPolicy policy, RetentionFilter retention, String auditor) {
    this.auditor = auditor;
    this.service = service;
    this.policy = policy;
    this.retention = retention;
  }

  @Override
  public Class<AuditEvent> getResourceType() {
    return AuditEvent.class;
  }

  @Read(version = true)
  public IBaseResource read(@IdParam IIdType id) {
    String requester = Requester.current();
    Long version = id.hasVersionIdPart() ? id.getVersionIdPartAsLong() : null;
    IBaseResource event = service.read("AuditEvent", id.getIdPart(), version, opener(requester));
    if (retention.isExpired(event)) {
      throw new ResourceGoneException(
          "AuditEvent/" + id.getIdPart() + " has expired (gateway.audit.retention)");
    }
    return event;
  }

  @Search(allowUnknownParams = true)
  public IBundleProvider search(RequestDetails request) {
    String requester = Requester.current();
    Map<String, List<String>> params = GenericResourceProvider.params(request);
    refuseOtherPatients(requester, params);
    return Bundles.searchSet(service, matches(requester, params), requester);
  }

  /**
   * Every AuditEvent the search parameters match, one JSON resource per line ({@code
   * application/fhir+ndjson}); for auditors only.
   */
  @Operation(name = "$export-ndjson", idempotent = true, manualResponse = true)
  public void exportNdjson(RequestDetails request, HttpServletResponse response)
      throws IOException {
    String requester = Requester.current();
    if (!policy.isAuditor(requester)) {
      throw new ForbiddenOperationException("AuditEvent/$export-ndjson is for auditors");
    }
    Map<String, List<String>> params = GenericResourceProvider.params(request);
    params.keySet().removeIf(name -> name.equals("_count") || name.startsWith("_format"));
    ResourceService.SearchResult result = matches(requester, params);
    response.setStatus(200);
    response.setContentType("application/fhir+ndjson");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    Writer out = response.getWriter();
    var parser = service.fhir().newJsonParser().setPrettyPrint(false);
    for (IBaseResource event : result.matches()) {
      out.write(parser.encodeResourceToString(event));
      out.write('\n');
    }
    out.flush();
  }

  /** The unexpired matches: over every AuditEvent for an auditor, else the requester's own. */
  private ResourceService.SearchResult matches(String requester, Map<String, List<String>> params) {
    ResourceService.SearchResult found = service.search("AuditEvent", params, opener(requester));
    List<IBaseResource> live =
        found.matches().stream().filter(event -> !retention.isExpired(event)).toList();
    return new ResourceService.SearchResult(found.query(), live);
  }

  /** Whose key opens AuditEvents for the requester: the audit identity's for an auditor. */
  private String opener(String requester) {
    if (policy.isAuditor(requester)) {
      return auditor;
    }
    if (!requester.startsWith("Patient/")) {
      throw new ForbiddenOperationException(REFUSED);
    }
    return requester;
  }

  /** A patient searching for another patient's AuditEvents is refused, not shown an empty log. */
  private void refuseOtherPatients(String requester, Map<String, List<String>> params) {
    if (policy.isAuditor(requester)) {
      return;
    }
    opener(requester);
    for (String value : params.getOrDefault("patient", List.of())) {
      for (String patient : value.split(",", -1)) {
        String id = patient.substring(patient.lastIndexOf('/') + 1);
        if (!requester.equals("Patient/" + id)) {
          throw new ForbiddenOperationException(REFUSED);
        }
      }
    }
  }
}
