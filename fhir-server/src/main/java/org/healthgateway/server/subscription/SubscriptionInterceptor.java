package org.healthgateway.server.subscription;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.healthgateway.server.subscription.EndpointPolicy.Refusal;
import org.healthgateway.server.subscription.SubscriptionValidator.Validation;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards Subscriptions before the generic provider handles them: an invalid subscription is refused
 * with 422, and so is a rest-hook endpoint the {@link EndpointPolicy} refuses; a {@code requested}
 * one is stored {@code active} (this server activates at once); only a subscription's owner (the
 * author of its current version) may update or delete it (403). Also applies to Subscription
 * entries of batch and transaction Bundles.
 *
 * <p>Reads: read, vread and instance history of another user's Subscription are 403, deleted or not
 * (the record store, which seals each version for its author alone, refuses to open it anyway; this
 * makes the answer the same for a deletion and for a history that would be empty).
 */
@Interceptor
final class SubscriptionInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionInterceptor.class);
  static final int MAX_SUBSCRIPTIONS_PER_OWNER = 100;

  private final SubscriptionValidator validator;
  private final EndpointPolicy endpoints;
  private final SubscriptionRegistry registry;
  private final ResourceIndex index;
  private final Supplier<String> requester;

  /**
   * @param requester the current user ({@code Requester::current})
   */
  SubscriptionInterceptor(
      SubscriptionValidator validator,
      EndpointPolicy endpoints,
      SubscriptionRegistry registry,
      ResourceIndex index,
      Supplier<String> requester) {
    this.validator = validator;
    this.endpoints = endpoints;
    this.registry = registry;
    this.index = index;
    this.requester = requester;
  }

  @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
  public void preHandled(RequestDetails request, RestOperationTypeEnum operation) {
    if (operation == null) {
      return;
    }
    switch (operation) {
      case CREATE, UPDATE, DELETE -> {
        if (SubscriptionNotifier.SUBSCRIPTION.equals(request.getResourceName())) {
          String id = request.getId() == null ? null : request.getId().getIdPart();
          check(operation == RestOperationTypeEnum.DELETE ? null : request.getResource(), id);
        }
      }
      case TRANSACTION, BATCH -> {
        if (request.getResource() instanceof Bundle bundle) {
          bundle.getEntry().forEach(this::checkEntry);
        }
      }
      case READ, VREAD, HISTORY_INSTANCE -> {
        if (SubscriptionNotifier.SUBSCRIPTION.equals(request.getResourceName())
            && request.getId() != null) {
          checkRead(request.getId(), operation);
        }
      }
      default -> {
        // Searches and type history: the store leaves other users' Subscriptions out.
      }
    }
  }

  private void checkEntry(Bundle.BundleEntryComponent entry) {
    String url = entry.getRequest().getUrl();
    boolean named = url != null && url.startsWith(SubscriptionNotifier.SUBSCRIPTION + "/");
    if (entry.getResource() instanceof Subscription || named) {
      String id = named ? url.substring(url.indexOf('/') + 1).split("[/?]", 2)[0] : null;
      Bundle.HTTPVerb verb = entry.getRequest().getMethod();
      check(verb == Bundle.HTTPVerb.DELETE ? null : entry.getResource(), id);
    }
  }

  /** Checks one write: {@code resource} null for a deletion, {@code id} null for a create. */
  private void check(IBaseResource resource, String id) {
    String user = requester.get();
    boolean exists =
        id != null
            && index
                .current(SubscriptionNotifier.SUBSCRIPTION, id)
                .filter(v -> !v.deleted())
                .isPresent();
    if (exists) {
      requireOwner(index.current(SubscriptionNotifier.SUBSCRIPTION, id).orElseThrow(), user);
    }
    if (resource == null) {
      return;
    }
    if (!(resource instanceof Subscription subscription)) {
      throw new UnprocessableEntityException("Expected a Subscription resource");
    }
    Validation validation = validator.validate(subscription, user, 0);
    if (!validation.valid()) {
      throw new UnprocessableEntityException("Invalid Subscription: " + validation.error());
    }
    if (validation.spec().endpoint() != null) {
      Optional<Refusal> refusal = endpoints.check(validation.spec().endpoint());
      if (refusal.isPresent()) {
        LOG.info("Subscription of {} refused: {}", user, refusal.get().detail());
        throw new UnprocessableEntityException("Invalid Subscription: " + refusal.get().message());
      }
    }
    if (!exists && registry.countOwnedBy(user) >= MAX_SUBSCRIPTIONS_PER_OWNER) {
      throw new UnprocessableEntityException(
          "Too many subscriptions: at most " + MAX_SUBSCRIPTIONS_PER_OWNER + " per user");
    }
    if (subscription.getStatus() == SubscriptionStatus.REQUESTED) {
      subscription.setStatus(SubscriptionStatus.ACTIVE);
    }
  }

  private void checkRead(IIdType id, RestOperationTypeEnum operation) {
    String user = requester.get();
    String type = SubscriptionNotifier.SUBSCRIPTION;
    List<VersionMeta> versions =
        switch (operation) {
          case READ -> index.current(type, id.getIdPart()).stream().toList();
          case VREAD ->
              id.isVersionIdPartValidLong()
                  ? index.version(type, id.getIdPart(), id.getVersionIdPartAsLong()).stream()
                      .toList()
                  : List.of();
          default -> index.history(type, id.getIdPart());
        };
    if (!versions.isEmpty() && versions.stream().noneMatch(v -> v.author().equals(user))) {
      throw new ForbiddenOperationException(
          "Subscription/" + id.getIdPart() + " belongs to another user");
    }
  }

  private static void requireOwner(VersionMeta current, String user) {
    if (!current.author().equals(user)) {
      throw new ForbiddenOperationException(
          "Subscription/" + current.id() + " belongs to another user");
    }
  }
}
