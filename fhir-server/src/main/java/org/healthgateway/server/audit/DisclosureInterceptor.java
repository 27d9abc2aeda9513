package org.healthgateway.server.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.Resource;

/**
 * The one place a FHIR answer's versions are reported to the patients' access logs: the response on
 * its way out, after every filter (SMART scopes) has run. Whatever path put a version into the
 * answer (read, vread, a search page, {@code _include}, {@code _revinclude}, history, {@code
 * $everything}, a GET entry of a batch), it is logged because it is in the answer, and only what is
 * in the answer is: versions opened to match a search and then left out are not disclosed.
 *
 * <p>Refused reads are logged where the refusal is decided ({@code ResourceService.read}); the
 * SMART consent screen, which is not a FHIR answer, reports the patients it names itself.
 */
public final class DisclosureInterceptor {
  /** Runs after the interceptors of default order, so the answer is the one sent. */
  public static final int ORDER = 1000;

  private static final Set<RestOperationTypeEnum> READS =
      EnumSet.of(
          RestOperationTypeEnum.READ,
          RestOperationTypeEnum.VREAD,
          RestOperationTypeEnum.SEARCH_TYPE,
          RestOperationTypeEnum.SEARCH_SYSTEM,
          RestOperationTypeEnum.GET_PAGE,
          RestOperationTypeEnum.HISTORY_INSTANCE,
          RestOperationTypeEnum.HISTORY_TYPE,
          RestOperationTypeEnum.HISTORY_SYSTEM,
          RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE,
          RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
          RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);

  private final ResourceIndex index;
  private final AuditTrail trail;

  public DisclosureInterceptor(ResourceIndex index, AuditTrail trail) {
    this.index = index;
    this.trail = trail;
  }

  /** Reports what the answer holds; never changes it. */
  @Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = ORDER)
  public boolean disclosed(RequestDetails request, ResponseDetails response) {
    IBaseResource answer = response.getResponseResource();
    RestOperationTypeEnum operation = request.getRestOperationType();
    if (answer == null || operation == null) {
      return true;
    }
    Optional<String> requester = requester();
    if (requester.isEmpty()) {
      return true;
    }
    Map<String, List<VersionMeta>> byAction = new LinkedHashMap<>();
    if (operation == RestOperationTypeEnum.TRANSACTION
        || operation == RestOperationTypeEnum.BATCH) {
      readEntries(request.getResource(), answer, byAction);
    } else if (READS.contains(operation)) {
      collect(answer, action(operation, request.getOperation()), byAction);
    }
    byAction.forEach((action, metas) -> trail.accessed(requester.get(), metas, action));
    return true;
  }

  /** The answers to a batch's or transaction's GET entries, paired with them by position. */
  private void readEntries(
      IBaseResource requestBody, IBaseResource answer, Map<String, List<VersionMeta>> byAction) {
    if (!(requestBody instanceof Bundle asked) || !(answer instanceof Bundle answered)) {
      return;
    }
    int entries = Math.min(asked.getEntry().size(), answered.getEntry().size());
    for (int i = 0; i < entries; i++) {
      BundleEntryComponent entry = asked.getEntry().get(i);
      IBaseResource served = answered.getEntry().get(i).getResource();
      if (served != null && entry.getRequest().getMethod() == HTTPVerb.GET) {
        collect(served, served instanceof Bundle ? "search" : "read", byAction);
      }
    }
  }

  private void collect(IBaseResource answer, String action, Map<String, List<VersionMeta>> out) {
    if (answer instanceof Bundle bundle) {
      for (BundleEntryComponent entry : bundle.getEntry()) {
        if (entry.getResource() != null) {
          String entryAction =
              bundle.getType() == Bundle.BundleType.HISTORY
                  ? "history"
                  : entry.getSearch().getMode() == SearchEntryMode.INCLUDE ? "include" : action;
          version(entry.getResource())
              .ifPresent(
                  meta -> out.computeIfAbsent(entryAction, a -> new ArrayList<>()).add(meta));
        }
      }
    } else {
      version(answer)
          .ifPresent(meta -> out.computeIfAbsent(action, a -> new ArrayList<>()).add(meta));
    }
  }

  /** The stored version a served resource is, from its type, id and version id. */
  private Optional<VersionMeta> version(IBaseResource served) {
    if (!(served instanceof Resource resource) || !resource.hasIdElement()) {
      return Optional.empty();
    }
    String versionId =
        resource.getMeta().hasVersionId()
            ? resource.getMeta().getVersionId()
            : resource.getIdElement().getVersionIdPart();
    if (versionId == null || !versionId.matches("\\d{1,18}")) {
      return Optional.empty();
    }
    return index.version(
        resource.fhirType(), resource.getIdElement().getIdPart(), Long.parseLong(versionId));
  }

  /** The access log's name for an interaction. */
  static String action(RestOperationTypeEnum operation, String operationName) {
    return switch (operation) {
      case READ -> "read";
      case VREAD -> "vread";
      case HISTORY_INSTANCE, HISTORY_TYPE, HISTORY_SYSTEM -> "history";
      case EXTENDED_OPERATION_INSTANCE, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_SERVER ->
          operationName == null ? "operation" : operationName.replaceFirst("^\\$", "");
      default -> "search";
    };
  }

  private static Optional<String> requester() {
    try {
      return Optional.of(Requester.current());
    } catch (RuntimeException e) {
      // No fhirUser: the answer holds public content only; nothing of a patient to log.
      return Optional.empty();
    }
  }
}
