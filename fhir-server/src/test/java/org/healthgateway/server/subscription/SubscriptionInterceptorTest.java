package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_Q;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.junit.jupiter.api.Test;

class SubscriptionInterceptorTest {
  private final SubscriptionValidator validator = new SubscriptionValidator(Fixtures.SEARCH);
  private final SubscriptionRegistry registry =
      new SubscriptionRegistry(validator, (meta, user) -> true, Clock.systemUTC());
  private final ResourceIndex index = new ResourceIndex();
  private final AtomicReference<String> user = new AtomicReference<>(PATIENT_P);
  private final SubscriptionInterceptor interceptor =
      new SubscriptionInterceptor(
          validator,
          new EndpointPolicy(List.of(), host -> new InetAddress[0]),
          registry,
          index,
          user::get);

  private void call(RestOperationTypeEnum operation, String id, IBaseResource resource) {
    SystemRequestDetails request = new SystemRequestDetails();
    request.setResourceName(operation.name().startsWith("T") ? null : "Subscription");
    if (id != null) {
      request.setId(new IdType("Subscription", id));
    }
    request.setResource(resource);
    interceptor.preHandled(request, operation);
  }

  @Test
  void create_requested_isStoredActive() {
    Subscription subscription = Fixtures.websocket("s", PROPOSED_FOR_P);

    call(RestOperationTypeEnum.CREATE, null, subscription);

    assertThat(subscription.getStatus()).isEqualTo(SubscriptionStatus.ACTIVE);
  }

  @Test
  void create_invalid_is422WithTheReason() {
    assertThatThrownBy(
            () ->
                call(
                    RestOperationTypeEnum.CREATE,
                    null,
                    Fixtures.websocket("s", "Consent?colour=red")))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("Unknown search parameter 'colour'");
  }

  @Test
  void create_restHookToAPrivateAddress_is422NamingTheEndpoint() {
    assertThatThrownBy(
            () ->
                call(
                    RestOperationTypeEnum.CREATE,
                    null,
                    Fixtures.restHook("s", PROPOSED_FOR_P, "https://10.0.0.1/hook")))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("Subscription.channel.endpoint");
  }

  @Test
  void updateOrDelete_byAnotherUser_is403() {
    index.add(Fixtures.meta("Subscription", "s", 1, PATIENT_P, null));
    user.set(PATIENT_Q);

    assertThatThrownBy(
            () -> call(RestOperationTypeEnum.UPDATE, "s", Fixtures.websocket("s", PROPOSED_FOR_P)))
        .isInstanceOf(ForbiddenOperationException.class);
    assertThatThrownBy(() -> call(RestOperationTypeEnum.DELETE, "s", null))
        .isInstanceOf(ForbiddenOperationException.class);
  }

  @Test
  void updateOrDelete_byOwner_isAllowed() {
    index.add(Fixtures.meta("Subscription", "s", 1, PATIENT_P, null));

    call(RestOperationTypeEnum.UPDATE, "s", Fixtures.websocket("s", PROPOSED_FOR_P));
    call(RestOperationTypeEnum.DELETE, "s", null);
  }

  @Test
  void readVreadOrHistory_ofAnotherUsersSubscription_is403EvenOnceDeleted() {
    index.add(Fixtures.meta("Subscription", "s", 1, PATIENT_P, null));
    index.add(Fixtures.deletion("Subscription", "s", 2, PATIENT_P));
    user.set(PATIENT_Q);

    for (RestOperationTypeEnum read :
        List.of(
            RestOperationTypeEnum.READ,
            RestOperationTypeEnum.VREAD,
            RestOperationTypeEnum.HISTORY_INSTANCE)) {
      assertThatThrownBy(() -> callVersion(read, "s", "1"))
          .as(read.name())
          .isInstanceOf(ForbiddenOperationException.class)
          .hasMessageContaining("belongs to another user");
    }
  }

  @Test
  void readVreadOrHistory_byOwnerOrOfUnknownId_passes() {
    index.add(Fixtures.meta("Subscription", "s", 1, PATIENT_P, null));

    for (RestOperationTypeEnum read :
        List.of(
            RestOperationTypeEnum.READ,
            RestOperationTypeEnum.VREAD,
            RestOperationTypeEnum.HISTORY_INSTANCE)) {
      callVersion(read, "s", "1");
      user.set(PATIENT_Q);
      callVersion(read, "unknown", "1");
      user.set(PATIENT_P);
    }
  }

  private void callVersion(RestOperationTypeEnum operation, String id, String version) {
    SystemRequestDetails request = new SystemRequestDetails();
    request.setResourceName("Subscription");
    request.setId(
        operation == RestOperationTypeEnum.VREAD
            ? new IdType("Subscription", id, version)
            : new IdType("Subscription", id));
    interceptor.preHandled(request, operation);
  }

  @Test
  void transaction_withInvalidSubscriptionEntry_is422() {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    bundle
        .addEntry()
        .setResource(Fixtures.restHook("s", PROPOSED_FOR_P, "gopher://x"))
        .getRequest()
        .setMethod(Bundle.HTTPVerb.POST)
        .setUrl("Subscription");

    assertThatThrownBy(() -> call(RestOperationTypeEnum.TRANSACTION, null, bundle))
        .isInstanceOf(UnprocessableEntityException.class);
  }

  @Test
  void create_beyondTheCap_is422() {
    for (int i = 0; i < SubscriptionInterceptor.MAX_SUBSCRIPTIONS_PER_OWNER; i++) {
      registry.apply(
          Fixtures.meta("Subscription", "s" + i, 1, PATIENT_P, null),
          Fixtures.websocket("s" + i, PROPOSED_FOR_P));
    }

    assertThatThrownBy(
            () -> call(RestOperationTypeEnum.CREATE, null, Fixtures.websocket("x", PROPOSED_FOR_P)))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("Too many subscriptions");
  }
}
