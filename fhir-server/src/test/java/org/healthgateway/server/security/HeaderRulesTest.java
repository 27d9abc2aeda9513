package org.healthgateway.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
  /** Spring Security's default header rule, which the loop replaces. */
  private static final Pattern SPRING_DEFAULT =
      Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

  @Test
  void assignedAndNotControl_everyCodePoint_agreesWithSpringsExpression() {
    List<Integer> disagreements = new ArrayList<>();
    for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        continue;
      }
      String text = "Bearer a" + Character.toString(c) + "z";
      if (HeaderRules.assignedAndNotControl(text) != SPRING_DEFAULT.matcher(text).matches()) {
        disagreements.add(c);
      }
    }
    assertThat(disagreements).isEmpty();
  }

  @Test
  void assignedAndNotControl_lineBreakOrLoneSurrogate_isRefused() {
    assertThat(HeaderRules.assignedAndNotControl("Bearer abc\r\nX-Injected: 1")).isFalse();
    assertThat(HeaderRules.assignedAndNotControl("Bearer abc\0")).isFalse();
    assertThat(HeaderRules.assignedAndNotControl("ab\uD800c"))
        .isEqualTo(SPRING_DEFAULT.matcher("ab\uD800c").matches());
    assertThat(HeaderRules.assignedAndNotControl("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).isTrue();
  }
}
