package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;

import java.util.function.Consumer;
import org.healthgateway.server.subscription.SubscriptionValidator.Validation;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.junit.jupiter.api.Test;

class SubscriptionValidatorTest {
  private final SubscriptionValidator validator = new SubscriptionValidator(Fixtures.SEARCH);

  @Test
  void validate_websocketOnProposedConsents_isActiveWithParsedCriteria() {
    Validation validation =
        validator.validate(Fixtures.websocket("s1", PROPOSED_FOR_P), PATIENT_P, 1);

    assertThat(validation.error()).isNull();
    SubscriptionSpec spec = validation.spec();
    assertThat(spec.id()).isEqualTo("s1");
    assertThat(spec.owner()).isEqualTo(PATIENT_P);
    assertThat(spec.active()).isTrue();
    assertThat(spec.channel()).isEqualTo(SubscriptionSpec.Channel.WEBSOCKET);
    assertThat(spec.query().resourceType()).isEqualTo("Consent");
  }

  @Test
  void validate_restHookWithPayloadAndHeaders_keepsThem() {
    Subscription subscription =
        Fixtures.restHook("s2", PROPOSED_FOR_P, "https://app.example.org/hook");
    subscription.getChannel().setPayload("application/fhir+json");
    subscription.getChannel().addHeader("Authorization: Bearer secret");

    SubscriptionSpec spec = validator.validate(subscription, PATIENT_P, 3).spec();

    assertThat(spec.endpoint()).hasToString("https://app.example.org/hook");
    assertThat(spec.payload()).isEqualTo("application/fhir+json");
    assertThat(spec.headers()).containsExactly("Authorization: Bearer secret");
    assertThat(spec.version()).isEqualTo(3);
  }

  @Test
  void validate_statusOff_isValidButNotActive() {
    Subscription subscription = Fixtures.websocket("s3", PROPOSED_FOR_P);
    subscription.setStatus(SubscriptionStatus.OFF);

    assertThat(validator.validate(subscription, PATIENT_P, 1).spec().active()).isFalse();
  }

  @Test
  void validate_eachInvalidField_isRefusedWithItsReason() {
    assertInvalid(s -> s.setCriteria(null), "criteria is required");
    assertInvalid(s -> s.setCriteria("Nonsense?x=1"), "Unknown resource type");
    assertInvalid(s -> s.setCriteria("Consent?colour=red"), "Unknown search parameter");
    assertInvalid(s -> s.setCriteria("Consent?_has=x"), "not supported");
    assertInvalid(s -> s.setCriteria("Consent?patient=%zz"), "not a valid query string");
    assertInvalid(s -> s.setCriteria("Consent?a=" + "x".repeat(3000)), "longer than");
    assertInvalid(s -> s.setStatus(null), "status is required");
    assertInvalid(s -> s.getChannel().setType(null), "channel.type is required");
    assertInvalid(
        s -> s.getChannel().setType(SubscriptionChannelType.EMAIL), "'email' is not supported");
    assertInvalid(
        s -> s.getChannel().setType(SubscriptionChannelType.RESTHOOK), "needs channel.endpoint");
    assertInvalid(
        s -> s.getChannel().setType(SubscriptionChannelType.RESTHOOK).setEndpoint("ftp://x/y"),
        "absolute http or https URL");
    assertInvalid(
        s -> s.getChannel().setType(SubscriptionChannelType.RESTHOOK).setEndpoint("/relative"),
        "absolute http or https URL");
    assertInvalid(s -> s.getChannel().setPayload("text/plain"), "payload must be empty");
    assertInvalid(s -> s.getChannel().addHeader("no colon"), "'Name: value'");
    assertInvalid(s -> s.getChannel().addHeader("Host: evil.example"), "'Host' is not allowed");
    assertInvalid(s -> s.getChannel().addHeader("X-A: b\r\nX-Injected: c"), "is not allowed");
  }

  private void assertInvalid(Consumer<Subscription> edit, String reason) {
    Subscription subscription = Fixtures.websocket("bad", PROPOSED_FOR_P);
    edit.accept(subscription);
    Validation validation = validator.validate(subscription, PATIENT_P, 1);
    assertThat(validation.valid()).as(reason).isFalse();
    assertThat(validation.error()).contains(reason);
  }
}
