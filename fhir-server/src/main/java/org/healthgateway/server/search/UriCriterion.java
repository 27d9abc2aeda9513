package org.healthgateway.server.search;

import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/** URI matching: exact by default, {@code :below} (value is a prefix), {@code :above}. */
final class UriCriterion implements Criterion {

  enum Mode {
    EXACT,
    BELOW,
    ABOVE
  }

  private final List<String> uris;
  private final Mode mode;

  UriCriterion(List<String> uris, Mode mode) {
    this.uris = List.copyOf(uris);
    this.mode = mode;
  }

  @Override
  public boolean test(List<IBase> values) {
    for (IBase value : values) {
      if (value instanceof IPrimitiveType<?> primitive && primitive.getValueAsString() != null) {
        String candidate = primitive.getValueAsString();
        for (String uri : uris) {
          boolean match =
              switch (mode) {
                case EXACT -> candidate.equals(uri);
                case BELOW -> candidate.startsWith(uri);
                case ABOVE -> uri.startsWith(candidate);
              };
          if (match) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
