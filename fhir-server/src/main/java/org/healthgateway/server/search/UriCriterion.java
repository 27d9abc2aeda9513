package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

  /** {@code =uri} for exact matching; {@code :below} and {@code :above} are not narrowed. */
  @Override
  public Optional<List<IndexKey>> indexKeys() {
    if (mode != Mode.EXACT) {
      return Optional.empty();
    }
    List<IndexKey> keys = new ArrayList<>();
    uris.forEach(uri -> keys.add(IndexKey.exact("=" + uri)));
    return Optional.of(keys);
  }

  /** The index keys of a resource's values for a uri parameter. */
  static void valueKeys(List<IBase> values, Set<String> out) {
    for (IBase value : values) {
      if (value instanceof IPrimitiveType<?> primitive && primitive.getValueAsString() != null) {
        out.add("=" + primitive.getValueAsString());
      }
    }
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
