package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthgateway.server.requester.Requester;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;

/**
 * One provider class serves every resource type: an instance per type, all interactions generic.
 */
public class GenericResourceProvider implements IResourceProvider {
  private final Class<? extends IBaseResource> type;
  private final String typeName;
  protected final ResourceService service;
  private final LedgerOperations ledgerOperations;

  public GenericResourceProvider(
      Class<? extends IBaseResource> type, ResourceService service, LedgerOperations ledgerOps) {
    this.type = type;
    this.typeName = service.fhir().getResourceType(type);
    this.service = service;
    this.ledgerOperations = ledgerOps;
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return type;
  }

  @Read(version = true)
  public IBaseResource read(@IdParam IIdType id) {
    Long version = id.hasVersionIdPart() ? id.getVersionIdPartAsLong() : null;
    return service.read(typeName, id.getIdPart(), version, Requester.current());
  }

  @Create
  public MethodOutcome create(
      @ResourceParam IBaseResource resource, @ConditionalUrlParam String conditionalUrl) {
    String requester = Requester.current();
    if (conditionalUrl != null) {
      return service.conditionalCreate(typeName, conditionalUrl, resource, requester);
    }
    return service.create(resource, requester);
  }

  @Update
  public MethodOutcome update(@IdParam IIdType id, @ResourceParam IBaseResource resource) {
    return service.update(id, resource, Requester.current());
  }

  /**
   * Deletes one resource by id. HAPI also routes {@code DELETE [type]} and {@code DELETE
   * [type]?criteria} here, without an id: the first is not a FHIR interaction (405), the second is
   * a conditional delete, which this server refuses (400).
   */
  @Delete
  public MethodOutcome delete(@IdParam IIdType id, RequestDetails request) {
    if (id == null || !id.hasIdPart()) {
      if (request.getParameters().isEmpty()) {
        throw Outcomes.withIssue(
            new MethodNotAllowedException(
                "DELETE needs a resource id: DELETE [base]/" + typeName + "/[id]",
                RequestTypeEnum.GET,
                RequestTypeEnum.POST),
            OperationOutcome.IssueType.NOTSUPPORTED);
      }
      throw Outcomes.withIssue(
          new InvalidRequestException(
              "Conditional delete is not supported: DELETE [base]/" + typeName + "/[id]"),
          OperationOutcome.IssueType.NOTSUPPORTED);
    }
    return service.delete(typeName, id.getIdPart(), Requester.current());
  }

  @History
  public IBundleProvider instanceHistory(@IdParam IIdType id) {
    return Bundles.history(service, service.history(typeName, id.getIdPart()), Requester.current());
  }

  @History
  public IBundleProvider typeHistory() {
    return Bundles.history(service, service.historyOfType(typeName), Requester.current());
  }

  @Search(allowUnknownParams = true)
  public IBundleProvider search(RequestDetails request) {
    String requester = Requester.current();
    Map<String, List<String>> params = params(request);
    java.util.Optional<PagedSearch> paged = service.searchByPage(typeName, params, requester);
    if (paged.isPresent()) {
      return Bundles.pagedSearchSet(service, paged.get());
    }
    ResourceService.SearchResult result = service.search(typeName, params, requester);
    return Bundles.searchSet(service, result, requester);
  }

  @Operation(name = "$verify", idempotent = true)
  public Parameters verify(@IdParam IIdType id) {
    return ledgerOperations.verify(typeName, id, Requester.current());
  }

  static Map<String, List<String>> params(RequestDetails request) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : request.getParameters().entrySet()) {
      params.put(e.getKey(), new ArrayList<>(Arrays.asList(e.getValue())));
    }
    return params;
  }
}
