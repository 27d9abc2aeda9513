package org.healthgateway.server.fhir;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.primitive.InstantDt;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.search.SearchQuery;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Bundle providers for search, history and operations; pages are served only to their requester.
 */
final class Bundles {
  private Bundles() {}

  static IBundleProvider list(List<IBaseResource> resources, String requester) {
    return new OwnedBundleProvider(resources, requester, null);
  }

  static IBundleProvider searchSet(
      ResourceService service, ResourceService.SearchResult result, String requester) {
    OwnedBundleProvider provider =
        new OwnedBundleProvider(
            result.matches(),
            requester,
            page -> includes(service, result.query(), page, requester));
    if (result.query().count() != null) {
      provider.setPreferredPageSize(result.query().count());
    }
    return provider;
  }

  /**
   * A search answered page by page ({@link PagedSearch}): no total, a next link while pages are
   * full; the pages, like every search page, only for the requester who ran it.
   */
  static IBundleProvider pagedSearchSet(ResourceService service, PagedSearch search) {
    return new PagedBundleProvider(
        search, page -> includes(service, search.query(), page, search.requester()));
  }

  private static List<IBaseResource> includes(
      ResourceService service, SearchQuery query, List<IBaseResource> page, String requester) {
    if (query.includes().isEmpty() && query.revIncludes().isEmpty()) {
      return List.of();
    }
    Set<String> seen = new LinkedHashSet<>();
    page.forEach(r -> seen.add(r.fhirType() + "/" + r.getIdElement().getIdPart()));
    List<IBaseResource> included = new ArrayList<>();
    for (IBaseResource resource : page) {
      for (org.healthgateway.server.search.Include include : query.includes()) {
        for (String ref : query.referencedIds(resource, include)) {
          String[] parts = ref.split("/", -1);
          if (parts.length != 2 || !seen.add(ref)) {
            continue;
          }
          service
              .current(parts[0], parts[1])
              .filter(meta -> !meta.deleted() && service.canRead(meta, requester))
              .flatMap(meta -> service.openIfAllowed(meta, requester))
              .ifPresent(shared -> included.add(asInclude(shared)));
        }
      }
    }
    included.addAll(revIncludes(service, query, page, requester, seen));
    return included;
  }

  /**
   * {@code _revinclude=Source:param}: the resources of type Source whose param references a page
   * resource, found by the same search (and so the same key and consent checks) as any search.
   */
  private static List<IBaseResource> revIncludes(
      ResourceService service,
      SearchQuery query,
      List<IBaseResource> page,
      String requester,
      Set<String> seen) {
    List<IBaseResource> included = new ArrayList<>();
    for (org.healthgateway.server.search.Include rev : query.revIncludes()) {
      for (IBaseResource resource : page) {
        if (rev.targetType() != null && !rev.targetType().equals(resource.fhirType())) {
          continue;
        }
        String target = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put(rev.paramName(), new ArrayList<>(List.of(target)));
        for (IBaseResource source : service.search(rev.sourceType(), params, requester).matches()) {
          if (seen.add(source.fhirType() + "/" + source.getIdElement().getIdPart())) {
            included.add(asInclude(source));
          }
        }
      }
    }
    return included;
  }

  /** A copy of a shared instance, marked as an include. */
  private static IBaseResource asInclude(IBaseResource shared) {
    IBaseResource target = copy(shared);
    ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(
        (IAnyResource) target, BundleEntrySearchModeEnum.INCLUDE);
    return target;
  }

  private static IBaseResource copy(IBaseResource shared) {
    return ((org.hl7.fhir.r4.model.Resource) shared).copy();
  }

  /**
   * Versions newest first; deletions as DELETE entries; versions the requester can't open left out,
   * and so are deletions of another user's owner-only resources (Subscriptions).
   */
  static IBundleProvider history(
      ResourceService service, List<VersionMeta> versions, String requester) {
    List<VersionMeta> sorted = new ArrayList<>(versions);
    sorted.removeIf(meta -> service.isOwnedByAnother(meta, requester));
    sorted.sort(
        Comparator.comparing(VersionMeta::lastUpdated)
            .thenComparing(VersionMeta::version)
            .reversed());
    List<IBaseResource> entries = new ArrayList<>();
    for (VersionMeta meta : sorted) {
      if (meta.deleted()) {
        IBaseResource tombstone = service.fhir().getResourceDefinition(meta.type()).newInstance();
        tombstone.setId(meta.versionedReference());
        ResourceMetadataKeyEnum.DELETED_AT.put(
            (IAnyResource) tombstone, new InstantDt(Date.from(meta.lastUpdated())));
        ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(
            (IAnyResource) tombstone, BundleEntryTransactionMethodEnum.DELETE);
        entries.add(tombstone);
      } else if (service.canRead(meta, requester)) {
        service.openIfAllowed(meta, requester).ifPresent(entries::add);
      }
    }
    return list(entries, requester);
  }

  /**
   * A page source that refuses pages to anyone but the user who ran the search. It holds the
   * store's shared, read-only instances and copies only the page it serves, because HAPI changes
   * the resources it encodes; a search with a thousand matches copies one page, not a thousand.
   */
  private static final class OwnedBundleProvider extends SimpleBundleProvider {
    private final String owner;
    private final IncludeResolver includes;

    OwnedBundleProvider(List<IBaseResource> resources, String owner, IncludeResolver includes) {
      super(resources);
      this.owner = owner;
      this.includes = includes;
    }

    // HAPI 8 pages through this three-argument form (the two-argument one is not called).
    @Override
    public List<IBaseResource> getResources(
        int fromIndex,
        int toIndex,
        ca.uhn.fhir.rest.server.method.ResponsePage.ResponsePageBuilder builder) {
      if (!owner.equals(Requester.current())) {
        throw new ForbiddenOperationException("This page belongs to another user's search");
      }
      List<IBaseResource> page = new ArrayList<>();
      super.getResources(fromIndex, toIndex, builder).forEach(r -> page.add(copy(r)));
      if (includes != null) {
        page.addAll(includes.resolve(List.copyOf(page)));
      }
      return page;
    }
  }

  /** {@link OwnedBundleProvider}'s rules over a {@link PagedSearch}: size unknown (null). */
  private static final class PagedBundleProvider extends SimpleBundleProvider {
    private final PagedSearch search;
    private final IncludeResolver includes;

    PagedBundleProvider(PagedSearch search, IncludeResolver includes) {
      super(List.of());
      this.search = search;
      this.includes = includes;
      if (search.query().count() != null) {
        setPreferredPageSize(search.query().count());
      }
    }

    @Override
    public Integer size() {
      return null;
    }

    // Else HAPI takes the (empty) list given to the super class as the whole answer.
    @Override
    public boolean containsAllResources() {
      return false;
    }

    @Override
    public List<IBaseResource> getResources(int fromIndex, int toIndex) {
      return getResources(fromIndex, toIndex, null);
    }

    /**
     * Opens one match past the page to tell HAPI whether a next page exists ({@code
     * setTotalRequestedResourcesFetched}: more than the page size means a next link), so the last
     * page has no next link and costs one extra opened version.
     */
    @Override
    public List<IBaseResource> getResources(
        int fromIndex,
        int toIndex,
        ca.uhn.fhir.rest.server.method.ResponsePage.ResponsePageBuilder builder) {
      if (!search.requester().equals(Requester.current())) {
        throw new ForbiddenOperationException("This page belongs to another user's search");
      }
      int wanted = Math.max(0, toIndex - fromIndex);
      List<IBaseResource> matches =
          search.page(fromIndex, toIndex == Integer.MAX_VALUE ? toIndex : toIndex + 1);
      List<IBaseResource> page = new ArrayList<>();
      matches.stream().limit(wanted).forEach(r -> page.add(copy(r)));
      List<IBaseResource> included = includes.resolve(List.copyOf(page));
      if (builder != null) {
        builder.setTotalRequestedResourcesFetched(matches.size());
        builder.setIncludedResourceCount(included.size());
      }
      page.addAll(included);
      return page;
    }
  }

  @FunctionalInterface
  private interface IncludeResolver {
    List<IBaseResource> resolve(List<IBaseResource> page);
  }
}
