package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.IdType;

/**
 * Reference matching: {@code Type/id}, a bare {@code id} (any target type, or the type named by a
 * {@code :Type} modifier), or an absolute URL compared by its {@code Type/id} tail. Canonical
 * (uri-typed) references compare as whole strings.
 */
final class ReferenceCriterion implements Criterion {

  /** One reference of the OR-list: type null = any type. */
  record Target(String type, String id, String raw) {}

  private final List<Target> targets;

  ReferenceCriterion(List<Target> targets) {
    this.targets = List.copyOf(targets);
  }

  /** Parses a search value, applying the {@code :Type} modifier or the only target type. */
  static Target parse(String raw, String impliedType) {
    IdType id = new IdType(raw);
    String type = id.hasResourceType() ? id.getResourceType() : impliedType;
    return new Target(type, id.getIdPart(), raw);
  }

  /**
   * {@code Type/id} (with the type {@code *} for a target of any type) and {@code =raw} for
   * canonical values: a reference holds the any-type key and, when typed, {@code Type/id}; a
   * canonical holds {@code =text}.
   */
  @Override
  public Optional<List<IndexKey>> indexKeys() {
    List<IndexKey> keys = new ArrayList<>();
    for (Target target : targets) {
      if (target.id() != null) {
        keys.add(IndexKey.exact((target.type() == null ? "*" : target.type()) + "/" + target.id()));
      }
      keys.add(IndexKey.exact("=" + target.raw()));
    }
    return Optional.of(keys);
  }

  /** The index keys of a resource's values for a reference parameter. */
  static void valueKeys(List<IBase> values, Set<String> out) {
    for (IBase value : values) {
      if (value instanceof IBaseReference reference) {
        String idPart = References.idPart(reference.getReferenceElement());
        if (idPart == null) {
          continue;
        }
        out.add("*/" + idPart);
        IIdType typed = References.typedId(reference.getReferenceElement());
        if (typed != null) {
          out.add(typed.getResourceType() + "/" + idPart);
        }
      } else if (value instanceof IPrimitiveType<?> canonical
          && canonical.getValueAsString() != null) {
        out.add("=" + canonical.getValueAsString());
      }
    }
  }

  @Override
  public boolean test(List<IBase> values) {
    for (IBase value : values) {
      if (value instanceof IBaseReference reference) {
        if (matchesReference(reference.getReferenceElement())) {
          return true;
        }
      } else if (value instanceof IPrimitiveType<?> canonical) {
        String text = canonical.getValueAsString();
        if (targets.stream().anyMatch(target -> target.raw().equals(text))) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean matchesReference(IIdType reference) {
    String idPart = References.idPart(reference);
    if (idPart == null) {
      return false;
    }
    IIdType typed = References.typedId(reference);
    for (Target target : targets) {
      boolean typeOk =
          target.type() == null || (typed != null && target.type().equals(typed.getResourceType()));
      if (typeOk && target.id() != null && target.id().equals(idPart)) {
        return true;
      }
    }
    return false;
  }
}
