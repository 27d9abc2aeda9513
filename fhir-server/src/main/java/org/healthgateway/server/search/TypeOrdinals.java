package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A dense int per resource id of one type, so that the value index's postings are int arrays rather
 * than references; ids are the resource index's own String instances. Thread-safe.
 */
final class TypeOrdinals {

  private final Map<String, Integer> ordinals = new HashMap<>();
  private final List<String> ids = new ArrayList<>();

  /** The id's ordinal, assigned on first sight. */
  synchronized int of(String id) {
    Integer known = ordinals.get(id);
    if (known != null) {
      return known;
    }
    int next = ids.size();
    ordinals.put(id, next);
    ids.add(id);
    return next;
  }

  /** The ordinal of an id seen before, or -1. */
  synchronized int find(String id) {
    Integer known = ordinals.get(id);
    return known == null ? -1 : known;
  }

  synchronized String id(int ordinal) {
    return ids.get(ordinal);
  }

  synchronized int size() {
    return ids.size();
  }

  /** Heap estimate: a HashMap node, a boxed int and a list slot per id (the id is shared). */
  synchronized long approximateBytes() {
    return (long) ids.size() * (32 + 16 + 8 + 4);
  }
}
