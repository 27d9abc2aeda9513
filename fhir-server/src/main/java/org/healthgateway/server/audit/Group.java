package org.healthgateway.server.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Coding;

/** The accesses of one key in one window, in the order they happened: one AuditEvent. */
final class Group {
  static final int MAX_ENTITIES = 1000;

  private final Access first;
  private final List<VersionMeta> versions = new ArrayList<>();
  private final Set<String> grantedBy = new LinkedHashSet<>();
  private final Map<String, Coding> purposes = new LinkedHashMap<>();
  private Instant last;
  private int attempts;

  Group(Access first) {
    this.first = first;
    add(first);
  }

  void add(Access access) {
    versions.addAll(access.versions());
    grantedBy.addAll(access.grantedBy());
    access.purposes().forEach(p -> purposes.putIfAbsent(p.getSystem() + "|" + p.getCode(), p));
    last = access.at();
  }

  boolean hasRoomFor(Access access) {
    return versions.size() + access.versions().size() <= MAX_ENTITIES;
  }

  Access first() {
    return first;
  }

  List<VersionMeta> versions() {
    return versions;
  }

  Set<String> grantedBy() {
    return grantedBy;
  }

  List<Coding> purposes() {
    return List.copyOf(purposes.values());
  }

  Instant last() {
    return last;
  }

  /** Counts a failed append; returns the count so far. */
  int failedAttempt() {
    return ++attempts;
  }
}
