package org.healthgateway.server.smart;

/**
 * The interactions the scope policy tells apart, each with the SMART v2 permission ({@code c r u d
 * s}) it needs on its resource type.
 */
public enum Interaction {
  READ('r'),
  VREAD('r'),
  HISTORY_INSTANCE('r'),
  SEARCH_TYPE('s'),
  HISTORY_TYPE('s'),
  /** A search across types: needs a wildcard-type scope. */
  SEARCH_SYSTEM('s'),
  HISTORY_SYSTEM('s'),
  CREATE('c'),
  UPDATE('u'),
  PATCH('u'),
  DELETE('d'),
  /** {@code [type]/[id]/$op}: reads the instance ({@code $everything}, {@code $verify}). */
  OPERATION_INSTANCE('r'),
  OPERATION_TYPE('s'),
  /** {@code [base]/$op}: its own rules ({@code $register-keys}, {@code $ledger-head}). */
  OPERATION_SERVER(' '),
  /** A transaction or batch Bundle: each entry is decided as its own request. */
  BUNDLE(' '),
  /** Any other interaction on a type (or the server): needs read. */
  OTHER('r'),
  /** The CapabilityStatement and page fetches of a search already decided: no token needed. */
  UNCHECKED(' ');

  private final char permission;

  Interaction(char permission) {
    this.permission = permission;
  }

  /** The SMART v2 permission letter, or a space for interactions with their own rule. */
  public char permission() {
    return permission;
  }
}
