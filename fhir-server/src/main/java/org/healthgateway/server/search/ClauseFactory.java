package org.healthgateway.server.search;

import static org.healthgateway.server.search.SearchValues.invalid;

import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.parser.DataFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Turns one parameter's modifier and OR-list into a {@link Criterion}, or rejects it. */
final class ClauseFactory {

  private final Set<String> resourceTypes;

  ClauseFactory(Set<String> resourceTypes) {
    this.resourceTypes = resourceTypes;
  }

  Criterion criterion(RuntimeSearchParam param, String modifier, List<String> values) {
    String name = param.getName();
    if ("missing".equals(modifier)) {
      if (values.size() != 1) {
        throw invalid("Parameter " + name + ":missing takes one value, true or false");
      }
      return Criterion.missing(SearchValues.parseBoolean(name + ":missing", values.get(0)));
    }
    return switch (param.getParamType()) {
      case TOKEN -> token(name, modifier, values);
      case STRING -> string(name, modifier, values);
      case DATE -> date(name, modifier, values);
      case REFERENCE -> reference(param, modifier, values);
      case URI -> uri(name, modifier, values);
      default ->
          throw invalid(
              "Search parameter '"
                  + name
                  + "' of type "
                  + param.getParamType().name().toLowerCase(Locale.ROOT)
                  + " is not supported");
    };
  }

  private static Criterion token(String name, String modifier, List<String> values) {
    if (modifier == null) {
      return TokenCriterion.of(values, false);
    }
    return switch (modifier) {
      case "not" -> TokenCriterion.of(values, true);
      case "text" -> TokenCriterion.text(values);
      default -> throw unsupportedModifier(name, modifier, "not, text, missing");
    };
  }

  private static Criterion string(String name, String modifier, List<String> values) {
    if (modifier == null) {
      return new StringCriterion(values, StringCriterion.Mode.STARTS_WITH);
    }
    return switch (modifier) {
      case "exact" -> new StringCriterion(values, StringCriterion.Mode.EXACT);
      case "contains" -> new StringCriterion(values, StringCriterion.Mode.CONTAINS);
      default -> throw unsupportedModifier(name, modifier, "exact, contains, missing");
    };
  }

  private static Criterion uri(String name, String modifier, List<String> values) {
    if (modifier == null) {
      return new UriCriterion(values, UriCriterion.Mode.EXACT);
    }
    return switch (modifier) {
      case "below" -> new UriCriterion(values, UriCriterion.Mode.BELOW);
      case "above" -> new UriCriterion(values, UriCriterion.Mode.ABOVE);
      default -> throw unsupportedModifier(name, modifier, "below, above, missing");
    };
  }

  private static Criterion date(String name, String modifier, List<String> values) {
    if (modifier != null) {
      throw unsupportedModifier(name, modifier, "missing");
    }
    List<DateCriterion.Value> parsed = new ArrayList<>();
    for (String value : values) {
      parsed.add(dateValue(name, value));
    }
    return new DateCriterion(parsed);
  }

  static DateCriterion.Value dateValue(String name, String value) {
    DateCriterion.Prefix prefix = DateCriterion.Prefix.EQ;
    String date = value;
    if (value.length() >= 2 && Character.isLetter(value.charAt(0))) {
      String code = value.substring(0, 2);
      if (code.equals("ap")) {
        throw invalid("Prefix 'ap' is not supported for " + name);
      }
      try {
        prefix = DateCriterion.Prefix.valueOf(code.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid("Invalid prefix '" + code + "' for " + name + ": '" + value + "'");
      }
      date = value.substring(2);
    }
    try {
      DateRange range = DateRange.parse(date);
      if (range == null) {
        throw invalid("Invalid date for " + name + ": '" + value + "'");
      }
      return new DateCriterion.Value(prefix, range);
    } catch (DataFormatException | IllegalArgumentException e) {
      throw invalid("Invalid date for " + name + ": '" + value + "'");
    }
  }

  private Criterion reference(RuntimeSearchParam param, String modifier, List<String> values) {
    String impliedType = null;
    if (modifier != null) {
      if (!resourceTypes.contains(modifier)
          || (param.hasTargets() && !param.getTargets().contains(modifier))) {
        throw unsupportedModifier(param.getName(), modifier, "a target resource type, missing");
      }
      impliedType = modifier;
    }
    List<ReferenceCriterion.Target> targets = new ArrayList<>();
    for (String value : values) {
      if (value.contains("?")) {
        throw invalid("Invalid reference for " + param.getName() + ": '" + value + "'");
      }
      targets.add(ReferenceCriterion.parse(value, impliedType));
    }
    return new ReferenceCriterion(targets);
  }

  private static RuntimeException unsupportedModifier(
      String name, String modifier, String allowed) {
    return invalid(
        "Modifier ':"
            + modifier
            + "' is not supported for "
            + name
            + " (supported: "
            + allowed
            + ")");
  }
}
