package org.healthgateway.server.fhir;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.search.SearchQuery;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * A search whose matches are found as its pages are served: candidates are opened (as the
 * requester, under the read rule) and matched in order until a page is full, so a first page of 50
 * costs about 50 opened versions, not every match. Used only where no answer needs every match: no
 * {@code _sort}, no {@code _summary=count}, no {@code _total=accurate}; the Bundle then carries no
 * {@code total}, which FHIR R4 allows. Thread-safe: pages of one search may be fetched
 * concurrently.
 */
final class PagedSearch {

  private final SearchQuery query;
  private final List<VersionMeta> candidates;
  private final String requester;
  private final BiFunction<VersionMeta, String, Optional<IBaseResource>> opener;
  private final List<IBaseResource> matches = new ArrayList<>();
  private int next;

  PagedSearch(
      SearchQuery query,
      List<VersionMeta> candidates,
      String requester,
      BiFunction<VersionMeta, String, Optional<IBaseResource>> opener) {
    this.query = query;
    this.candidates = candidates;
    this.requester = requester;
    this.opener = opener;
  }

  SearchQuery query() {
    return query;
  }

  String requester() {
    return requester;
  }

  /** The matches from {@code from} (inclusive) to {@code to} (exclusive), fewer at the end. */
  synchronized List<IBaseResource> page(int from, int to) {
    while (matches.size() < to && next < candidates.size()) {
      opener
          .apply(candidates.get(next++), requester)
          .filter(query::matches)
          .ifPresent(matches::add);
    }
    int end = Math.min(to, matches.size());
    return from >= end ? List.of() : List.copyOf(matches.subList(from, end));
  }
}
