package org.healthgateway.server.fhir;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.Write;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * Runs Bundle entries. Transactions resolve conditional creates, assign ids, rewrite {@code
 * urn:uuid:} and conditional references, then write every version in one atomic ledger append.
 */
public final class TransactionProcessor {
  private final ResourceService service;

  public TransactionProcessor(ResourceService service) {
    this.service = service;
  }

  /** One batch entry, as its own interaction. */
  BundleEntryComponent single(BundleEntryComponent entry, String requester) {
    Bundle one = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    one.addEntry(entry);
    return transaction(one, requester).getEntryFirstRep();
  }

  Bundle transaction(Bundle bundle, String requester) {
    Set<String> conditions = new LinkedHashSet<>();
    for (BundleEntryComponent entry : bundle.getEntry()) {
      if (entry.getRequest().hasIfNoneExist() && entry.getResource() != null) {
        conditions.add(
            ResourceService.conditionKey(
                entry.getResource().fhirType(), entry.getRequest().getIfNoneExist()));
      }
    }
    List<ReentrantLock> held = service.lockConditions(conditions);
    try {
      return planAndWrite(bundle, requester);
    } finally {
      held.forEach(ReentrantLock::unlock);
    }
  }

  private Bundle planAndWrite(Bundle bundle, String requester) {
    Map<String, String> idMap = new HashMap<>();
    List<Planned> planned = new ArrayList<>();
    Set<String> newPatients = new HashSet<>();
    for (BundleEntryComponent entry : bundle.getEntry()) {
      planned.add(plan(entry, idMap, newPatients, requester));
    }
    for (Planned p : planned) {
      if (p.resource != null && p.existing == null) {
        rewriteReferences(p.resource, idMap, requester);
      }
    }
    // Creates get fresh random ids and cannot conflict; only updates and deletes take locks, so
    // that concurrent transactions of new data (patient bundles) run in parallel.
    Set<String> touched = new LinkedHashSet<>();
    planned.stream()
        .filter(p -> p.method != HTTPVerb.POST)
        .forEach(p -> touched.add(p.type + "/" + p.id));
    List<ReentrantLock> locks = service.lockAll(touched);
    try {
      List<Write> writes = new ArrayList<>();
      for (Planned p : planned) {
        if (p.existing == null) {
          writes.add(versioned(p));
        }
      }
      List<VersionMeta> written = service.writeAll(writes, newPatients, requester);
      return response(planned, written);
    } finally {
      locks.forEach(ReentrantLock::unlock);
    }
  }

  private Planned plan(
      BundleEntryComponent entry,
      Map<String, String> idMap,
      Set<String> newPatients,
      String requester) {
    Bundle.BundleEntryRequestComponent request = entry.getRequest();
    Resource resource = entry.getResource();
    HTTPVerb method = request.getMethod();
    if (method == null) {
      throw new InvalidRequestException("Bundle entry without request.method");
    }
    String url = request.getUrl() == null ? "" : request.getUrl();
    switch (method) {
      case POST -> {
        requireResource(resource, url);
        if (request.hasIfNoneExist()) {
          String conditional = resource.fhirType() + "?" + stripQuery(request.getIfNoneExist());
          List<IBaseResource> matches = service.matchConditional(conditional, requester);
          if (matches.size() > 1) {
            throw new PreconditionFailedException(
                "ifNoneExist matched " + matches.size() + " resources: " + conditional);
          }
          if (matches.size() == 1) {
            IdType existing = (IdType) matches.get(0).getIdElement();
            mapFullUrl(entry, idMap, resource.fhirType() + "/" + existing.getIdPart());
            return new Planned(
                resource.fhirType(), existing.getIdPart(), null, HTTPVerb.POST, existing, null);
          }
        }
        String id = UUID.randomUUID().toString();
        mapFullUrl(entry, idMap, resource.fhirType() + "/" + id);
        if (resource.fhirType().equals("Patient")) {
          newPatients.add(id);
        }
        resource.setId(resource.fhirType() + "/" + id);
        return new Planned(resource.fhirType(), id, resource, HTTPVerb.POST, null, null);
      }
      case PUT -> {
        requireResource(resource, url);
        IdType target = instanceUrl("PUT", url);
        if (!target.getResourceType().equals(resource.fhirType())) {
          throw new InvalidRequestException("Entry url " + url + " does not match resource type");
        }
        if (resource.getIdElement().hasIdPart()
            && !resource.getIdElement().getIdPart().equals(target.getIdPart())) {
          throw new InvalidRequestException("Resource id does not match entry url " + url);
        }
        mapFullUrl(entry, idMap, target.getResourceType() + "/" + target.getIdPart());
        if (resource.fhirType().equals("Patient")) {
          newPatients.add(target.getIdPart());
        }
        resource.setId(target.getResourceType() + "/" + target.getIdPart());
        return new Planned(
            resource.fhirType(),
            target.getIdPart(),
            resource,
            HTTPVerb.PUT,
            null,
            request.getIfMatch());
      }
      case DELETE -> {
        IdType target = instanceUrl("DELETE", url);
        return new Planned(
            target.getResourceType(), target.getIdPart(), null, HTTPVerb.DELETE, null, null);
      }
      default ->
          throw new InvalidRequestException(
              "Bundle entries support POST, PUT and DELETE; not " + method);
    }
  }

  /**
   * The {@code Type/id} an entry's url names. Conditional urls ({@code Type?criteria}) and type
   * urls are refused with 400: conditional update and delete are not supported.
   */
  private static IdType instanceUrl(String method, String url) {
    if (url != null && url.contains("?")) {
      throw Outcomes.withIssue(
          new InvalidRequestException(
              "Conditional "
                  + method.toLowerCase(Locale.ROOT)
                  + " is not supported; the entry url must be Type/id: "
                  + url),
          OperationOutcome.IssueType.NOTSUPPORTED);
    }
    IdType target = new IdType(url == null ? "" : url);
    if (!target.hasResourceType() || !target.hasIdPart()) {
      throw Outcomes.withIssue(
          new InvalidRequestException(method + " entry needs a url of the form Type/id: " + url),
          OperationOutcome.IssueType.INVALID);
    }
    return target;
  }

  private Write versioned(Planned p) {
    Optional<VersionMeta> current = service.current(p.type, p.id);
    if (p.ifMatch != null) {
      String expected = p.ifMatch.replaceAll("[^0-9]", "");
      if (current.isEmpty() || !Long.toString(current.get().version()).equals(expected)) {
        throw new PreconditionFailedException("Version conflict on " + p.type + "/" + p.id);
      }
    }
    long version = current.map(v -> v.version() + 1).orElse(1L);
    if (p.method == HTTPVerb.DELETE) {
      if (current.isEmpty()) {
        throw new UnprocessableEntityException(p.type + "/" + p.id + " does not exist");
      }
      return Write.deletion(p.type, p.id, version);
    }
    return Write.of(p.resource, version);
  }

  private void rewriteReferences(Resource resource, Map<String, String> idMap, String requester) {
    FhirTerser terser = service.fhir().newTerser();
    for (IBaseReference reference :
        terser.getAllPopulatedChildElementsOfType(resource, IBaseReference.class)) {
      String ref = reference.getReferenceElement().getValue();
      if (ref == null) {
        continue;
      }
      if (ref.startsWith("urn:uuid:") || ref.startsWith("urn:oid:")) {
        String target = idMap.get(ref);
        if (target == null) {
          throw new InvalidRequestException(
              "Reference " + ref + " names no entry of this transaction");
        }
        reference.setReference(target);
      } else if (ref.contains("?")) {
        reference.setReference(resolveConditional(ref, idMap, requester));
      }
    }
  }

  private String resolveConditional(String ref, Map<String, String> cache, String requester) {
    String known = cache.get(ref);
    if (known != null) {
      return known;
    }
    List<IBaseResource> matches = service.matchConditional(ref, requester);
    if (matches.size() != 1) {
      if (matches.isEmpty()) {
        throw new InvalidRequestException("Conditional reference " + ref + " matches no resource");
      }
      throw new PreconditionFailedException(
          "Conditional reference " + ref + " matches " + matches.size() + " resources");
    }
    IBaseResource match = matches.get(0);
    String target = match.fhirType() + "/" + match.getIdElement().getIdPart();
    cache.put(ref, target);
    return target;
  }

  private static void mapFullUrl(
      BundleEntryComponent entry, Map<String, String> idMap, String target) {
    if (entry.hasFullUrl()) {
      idMap.put(entry.getFullUrl(), target);
    }
  }

  private static void requireResource(Resource resource, String url) {
    if (resource == null) {
      throw new InvalidRequestException("Bundle entry for " + url + " has no resource");
    }
    String urlType = url.contains("?") ? url.substring(0, url.indexOf('?')) : url.split("/", -1)[0];
    if (!urlType.isEmpty() && !urlType.equals(resource.fhirType())) {
      throw new InvalidRequestException(
          "Entry url " + url + " does not match resource type " + resource.fhirType());
    }
  }

  private static String stripQuery(String ifNoneExist) {
    int q = ifNoneExist.indexOf('?');
    return q < 0 ? ifNoneExist : ifNoneExist.substring(q + 1);
  }

  private Bundle response(List<Planned> planned, List<VersionMeta> written) {
    Bundle response = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
    int w = 0;
    for (Planned p : planned) {
      BundleEntryComponent entry = response.addEntry();
      if (p.existing != null) {
        entry.getResponse().setStatus("200 OK").setLocation(p.existing.toUnqualified().getValue());
        if (p.existing.hasVersionIdPart()) {
          entry.getResponse().setEtag("W/\"" + p.existing.getVersionIdPart() + "\"");
        }
        continue;
      }
      VersionMeta meta = written.get(w++);
      String status =
          p.method == HTTPVerb.DELETE
              ? "204 No Content"
              : meta.version() == 1 ? "201 Created" : "200 OK";
      entry
          .getResponse()
          .setStatus(status)
          .setLocation(meta.versionedReference())
          .setEtag("W/\"" + meta.version() + "\"")
          .setLastModified(java.util.Date.from(meta.lastUpdated()));
    }
    return response;
  }

  private record Planned(
      String type,
      String id,
      Resource resource,
      HTTPVerb method,
      IdType existing,
      String ifMatch) {}
}
