package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.permit;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.consent.Decision.Kind;
import org.healthgateway.keys.envelope.VersionMeta;
import org.junit.jupiter.api.Test;

class ReadRuleTest {
  private static final String PATIENT = "Patient/p";
  private static final String AUTHOR = "Practitioner/author";

  private final ReadRule rule = new ReadRule(new ConsentEngine());

  private static VersionMeta version(String type, long version, String author, boolean sealed) {
    return new VersionMeta(
        type,
        "x1",
        version,
        version * 10,
        Instant.EPOCH,
        false,
        author,
        "p",
        sealed ? Set.of("g-1") : Set.of(),
        Set.of());
  }

  private static AccessRequest read(String actor) {
    return new AccessRequest(
        actor, "AllergyIntolerance", Set.of("allergies"), null, Set.of(), Instant.now());
  }

  @Test
  void anotherAuthorsSubscriptionIsDeniedEvenInClear() {
    Decision decision = rule.beforeOpening(version("Subscription", 1, AUTHOR, false), A, true);
    assertThat(decision.kind()).isEqualTo(Kind.DENY);
    assertThat(decision.reason()).isEqualTo("Subscription/x1 belongs to another user");
    assertThat(
            rule.beforeOpening(version("Subscription", 1, AUTHOR, true), AUTHOR, true).permitted())
        .isTrue();
  }

  @Test
  void clearContentIsPublic() {
    assertThat(rule.beforeOpening(version("Practitioner", 1, AUTHOR, false), A, false).permitted())
        .isTrue();
  }

  @Test
  void sealedContentNeedsAGrant() {
    VersionMeta sealed = version("AllergyIntolerance", 1, AUTHOR, true);
    assertThat(rule.beforeOpening(sealed, A, false))
        .isEqualTo(Decision.deny("No key for AllergyIntolerance/x1 was released to " + A));
    assertThat(rule.beforeOpening(sealed, A, true).permitted()).isTrue();
  }

  @Test
  void thePatientAndTheAuthorsReadWithoutConsent() {
    VersionMeta v1 = version("AllergyIntolerance", 1, AUTHOR, true);
    VersionMeta v2 = version("AllergyIntolerance", 2, B, true);
    List<VersionMeta> history = List.of(v1, v2);
    assertThat(rule.afterOpening(v2, history, read(PATIENT), List.of()).permitted()).isTrue();
    assertThat(rule.afterOpening(v2, history, read(B), List.of()).permitted()).isTrue();
    assertThat(rule.afterOpening(v2, history, read(AUTHOR), List.of()).permitted())
        .as("the author of version 1 keeps reading later versions")
        .isTrue();
    assertThat(rule.afterOpening(v1, history, read(B), List.of()).permitted())
        .as("a later author does not read what was there before it without consent")
        .isFalse();
  }

  @Test
  void anyoneElseNeedsAnActiveConsent() {
    VersionMeta v1 = version("AllergyIntolerance", 1, AUTHOR, true);
    assertThat(rule.afterOpening(v1, List.of(v1), read(A), List.of()))
        .isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
    assertThat(rule.afterOpening(v1, List.of(v1), read(A), List.of(active("c1", permit(A)))))
        .isEqualTo(new Decision(true, "permitted by Consent/c1", "Consent/c1"));
  }
}
