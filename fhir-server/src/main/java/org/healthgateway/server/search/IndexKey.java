package org.healthgateway.server.search;

/**
 * One key of the value index: a resource matches the criterion only if it holds this key, or (for
 * {@code prefix}) a key starting with it. Keys are namespaced by the criterion that makes them.
 */
record IndexKey(String key, boolean prefix) {

  static IndexKey exact(String key) {
    return new IndexKey(key, false);
  }
}
