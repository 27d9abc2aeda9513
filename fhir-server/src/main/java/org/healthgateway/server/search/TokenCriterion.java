package org.healthgateway.server.search;

import ca.uhn.fhir.util.StringUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;

/**
 * Token matching per FHIR R4: {@code code}, {@code system|code}, {@code |code} (no system), {@code
 * system|} (any code of the system); {@code :not} negates the whole OR-list; {@code :text} matches
 * the start of any word of a CodeableConcept's text or a coding's display, case- and
 * accent-insensitively.
 */
final class TokenCriterion implements Criterion {

  /** One token of the OR-list; system null = any system, "" = none; code null = any code. */
  record Token(String system, String code) {

    static Token parse(String raw) {
      int bar = raw.indexOf('|');
      if (bar < 0) {
        return new Token(null, raw);
      }
      String code = raw.substring(bar + 1);
      return new Token(raw.substring(0, bar), code.isEmpty() ? null : code);
    }
  }

  private record Indexed(String system, String code, String text) {}

  private final List<Token> tokens;
  private final List<String> texts;
  private final boolean not;

  private TokenCriterion(List<Token> tokens, List<String> texts, boolean not) {
    this.tokens = tokens;
    this.texts = texts;
    this.not = not;
  }

  static TokenCriterion of(List<String> rawValues, boolean not) {
    return new TokenCriterion(rawValues.stream().map(Token::parse).toList(), List.of(), not);
  }

  static TokenCriterion text(List<String> rawValues) {
    return new TokenCriterion(
        List.of(),
        rawValues.stream().map(StringUtil::normalizeStringForSearchIndexing).toList(),
        false);
  }

  /**
   * {@code system|code} with {@code *} for "any": a value holds its own {@code system|code} (no
   * system = empty), {@code *|code} and {@code system|*}; a value without a code holds none, as it
   * matches no token.
   */
  @Override
  public Optional<List<IndexKey>> indexKeys() {
    if (not || !texts.isEmpty()) {
      return Optional.empty();
    }
    List<IndexKey> keys = new ArrayList<>();
    for (Token token : tokens) {
      String system = token.system() == null ? "*" : token.system();
      String code = token.code() == null ? "*" : token.code();
      keys.add(IndexKey.exact(system + "|" + code));
    }
    return Optional.of(keys);
  }

  /** The index keys of a resource's values for a token parameter (see {@link #indexKeys}). */
  static void valueKeys(List<IBase> values, Set<String> out) {
    List<Indexed> indexed = new ArrayList<>();
    values.forEach(value -> index(value, indexed));
    for (Indexed value : indexed) {
      if (value.code() == null) {
        continue;
      }
      String system = value.system() == null ? "" : value.system();
      out.add(system + "|" + value.code());
      out.add("*|" + value.code());
      out.add(system + "|*");
    }
  }

  @Override
  public boolean test(List<IBase> values) {
    List<Indexed> indexed = new ArrayList<>();
    values.forEach(value -> index(value, indexed));
    boolean any = indexed.stream().anyMatch(this::matchesAny);
    return not != any;
  }

  private boolean matchesAny(Indexed value) {
    if (!texts.isEmpty()) {
      String normalized = StringUtil.normalizeStringForSearchIndexing(value.text());
      return normalized != null && texts.stream().anyMatch(t -> startsAnyWord(normalized, t));
    }
    for (Token token : tokens) {
      boolean systemOk =
          token.system() == null
              || (token.system().isEmpty()
                  ? value.system() == null || value.system().isEmpty()
                  : token.system().equals(value.system()));
      boolean codeOk = token.code() == null || token.code().equals(value.code());
      if (systemOk && codeOk && (token.code() != null || value.code() != null)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsAnyWord(String text, String prefix) {
    if (text.startsWith(prefix)) {
      return true;
    }
    return text.contains(" " + prefix);
  }

  private static void index(IBase value, List<Indexed> out) {
    if (value instanceof CodeableConcept concept) {
      concept.getCoding().forEach(coding -> index(coding, out));
      if (concept.hasText()) {
        out.add(new Indexed(null, null, concept.getText()));
      }
    } else if (value instanceof Coding coding) {
      out.add(new Indexed(coding.getSystem(), coding.getCode(), coding.getDisplay()));
    } else if (value instanceof Identifier identifier) {
      String text = identifier.getType().getText();
      out.add(new Indexed(identifier.getSystem(), identifier.getValue(), text));
    } else if (value instanceof ContactPoint contactPoint) {
      String system = contactPoint.hasSystem() ? contactPoint.getSystem().toCode() : null;
      out.add(new Indexed(system, contactPoint.getValue(), null));
    } else if (value instanceof Enumeration<?> enumeration) {
      out.add(new Indexed(enumeration.getSystem(), enumeration.getValueAsString(), null));
    } else if (value instanceof BooleanType bool) {
      out.add(new Indexed(null, bool.getValueAsString(), null));
    } else if (value instanceof IdType id) {
      out.add(new Indexed(null, id.getIdPart(), null));
    } else if (value instanceof IPrimitiveType<?> primitive) {
      out.add(new Indexed(null, primitive.getValueAsString(), null));
    }
  }

  @Override
  public String toString() {
    return "token" + (not ? ":not" : "") + Objects.toString(tokens) + texts;
  }
}
