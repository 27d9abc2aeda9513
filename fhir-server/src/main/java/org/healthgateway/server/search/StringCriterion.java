package org.healthgateway.server.search;

import ca.uhn.fhir.util.StringUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.StringType;

/**
 * String matching per FHIR R4: by default a case- and accent-insensitive starts-with on any part (a
 * HumanName's family, given, prefix, suffix, text; an Address's lines, city, district, state,
 * postal code, country, text); {@code :contains} anywhere; {@code :exact} whole and case-sensitive.
 */
final class StringCriterion implements Criterion {

  enum Mode {
    STARTS_WITH,
    CONTAINS,
    EXACT
  }

  private final List<String> needles;
  private final Mode mode;

  StringCriterion(List<String> rawValues, Mode mode) {
    this.mode = mode;
    this.needles =
        mode == Mode.EXACT
            ? List.copyOf(rawValues)
            : rawValues.stream().map(StringUtil::normalizeStringForSearchIndexing).toList();
  }

  /**
   * {@code ~normalized} for starts-with (a prefix of the index's keys) and {@code =exact} for
   * {@code :exact}; {@code :contains} can't be answered from prefixes.
   */
  @Override
  public Optional<List<IndexKey>> indexKeys() {
    if (mode == Mode.CONTAINS) {
      return Optional.empty();
    }
    List<IndexKey> keys = new ArrayList<>();
    for (String needle : needles) {
      keys.add(
          mode == Mode.EXACT ? IndexKey.exact("=" + needle) : new IndexKey("~" + needle, true));
    }
    return Optional.of(keys);
  }

  /** The index keys of a resource's values for a string parameter: each part, both ways. */
  static void valueKeys(List<IBase> values, Set<String> out) {
    List<String> parts = new ArrayList<>();
    values.forEach(value -> parts(value, parts));
    for (String part : parts) {
      out.add("=" + part);
      out.add("~" + StringUtil.normalizeStringForSearchIndexing(part));
    }
  }

  @Override
  public boolean test(List<IBase> values) {
    List<String> parts = new ArrayList<>();
    values.forEach(value -> parts(value, parts));
    for (String part : parts) {
      String candidate =
          mode == Mode.EXACT ? part : StringUtil.normalizeStringForSearchIndexing(part);
      for (String needle : needles) {
        if (matches(candidate, needle)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean matches(String candidate, String needle) {
    return switch (mode) {
      case STARTS_WITH -> candidate.startsWith(needle);
      case CONTAINS -> candidate.contains(needle);
      case EXACT -> candidate.equals(needle);
    };
  }

  private static void parts(IBase value, List<String> out) {
    if (value instanceof HumanName name) {
      add(out, name.getFamily());
      name.getGiven().forEach(given -> add(out, given.getValue()));
      name.getPrefix().forEach(prefix -> add(out, prefix.getValue()));
      name.getSuffix().forEach(suffix -> add(out, suffix.getValue()));
      add(out, name.getText());
    } else if (value instanceof Address address) {
      address.getLine().forEach(line -> add(out, line.getValue()));
      add(out, address.getCity());
      add(out, address.getDistrict());
      add(out, address.getState());
      add(out, address.getPostalCode());
      add(out, address.getCountry());
      add(out, address.getText());
    } else if (value instanceof StringType string) {
      add(out, string.getValue());
    } else if (value instanceof IPrimitiveType<?> primitive) {
      add(out, primitive.getValueAsString());
    }
  }

  private static void add(List<String> out, String value) {
    if (value != null && !value.isEmpty()) {
      out.add(value);
    }
  }
}
