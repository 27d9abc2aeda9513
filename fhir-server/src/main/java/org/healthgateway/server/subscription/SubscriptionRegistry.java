package org.healthgateway.server.subscription;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.subscription.SubscriptionValidator.Validation;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current version of every Subscription on the ledger, validated, and the matching of written
 * resources against them. Thread-safe.
 */
final class SubscriptionRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRegistry.class);

  private final SubscriptionValidator validator;
  private final BiPredicate<VersionMeta, String> canRead;
  private final Clock clock;
  private final Map<String, SubscriptionSpec> byId = new ConcurrentHashMap<>();

  /**
   * @param canRead whether a user holds a key for a version ({@code RecordStore::canRead})
   */
  SubscriptionRegistry(
      SubscriptionValidator validator, BiPredicate<VersionMeta, String> canRead, Clock clock) {
    this.validator = validator;
    this.canRead = canRead;
    this.clock = clock;
  }

  /**
   * Takes in a written Subscription version (or its deletion). Older versions than the one held are
   * ignored, so start-up loading and live writes may interleave.
   */
  void apply(VersionMeta meta, IBaseResource resource) {
    byId.compute(
        meta.id(),
        (id, held) -> {
          if (held != null && held.version() >= meta.version()) {
            return held;
          }
          if (meta.deleted() || !(resource instanceof Subscription subscription)) {
            return null;
          }
          Validation validation = validator.validate(subscription, meta.author(), meta.version());
          if (!validation.valid()) {
            LOG.warn(
                "Subscription/{} version {} is not delivered: {}",
                id,
                meta.version(),
                validation.error());
            return null;
          }
          return validation.spec();
        });
  }

  Optional<SubscriptionSpec> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Live subscriptions owned by the user. */
  long countOwnedBy(String owner) {
    return byId.values().stream()
        .filter(s -> s.owner().equals(owner) && s.isLive(clock.instant()))
        .count();
  }

  int liveCount() {
    return (int) byId.values().stream().filter(s -> s.isLive(clock.instant())).count();
  }

  /**
   * The live subscriptions to notify of a written version: criteria type and parameters match, and
   * the subscription's owner holds a key for the version (never notify of data the owner cannot
   * read).
   */
  List<SubscriptionSpec> matching(VersionMeta meta, IBaseResource resource) {
    List<SubscriptionSpec> result = new ArrayList<>();
    if (resource == null || meta.deleted()) {
      return result;
    }
    for (SubscriptionSpec spec : byId.values()) {
      if (spec.isLive(clock.instant())
          && spec.query().resourceType().equals(meta.type())
          && canRead.test(meta, spec.owner())
          && matchesQuietly(spec, resource)) {
        result.add(spec);
      }
    }
    return result;
  }

  private static boolean matchesQuietly(SubscriptionSpec spec, IBaseResource resource) {
    try {
      return spec.query().matches(resource);
    } catch (RuntimeException e) {
      LOG.warn("Subscription/{} criteria failed on a {}", spec.id(), resource.fhirType(), e);
      return false;
    }
  }
}
