package org.healthgateway.server.search;

/**
 * One {@code _include} or {@code _revinclude}: {@code sourceType:paramName[:targetType]}.
 *
 * @param sourceType the type holding the reference parameter
 * @param paramName a reference search parameter of {@code sourceType}
 * @param targetType the only target type to follow, or null for every target
 * @param iterate true for {@code :iterate} (or the older {@code :recurse})
 */
public record Include(String sourceType, String paramName, String targetType, boolean iterate) {

  /** A non-iterating include. */
  public Include(String sourceType, String paramName, String targetType) {
    this(sourceType, paramName, targetType, false);
  }
}
