/**
 * FHIR R4 Subscriptions with {@code rest-hook} and {@code websocket} channels.
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>A Subscription, its channel and headers belong to its owner alone. Created with {@code POST
 *       /fhir/Subscription}, each version is sealed like clinical data but for its author only (the
 *       record store's owner-only rule), so the ledger keeps only metadata in clear; it survives
 *       restarts because start-up reopens every live one with the owner's grant key (the node's
 *       copy). Its <em>owner</em> is the author of its current version. Clear versions written
 *       before sealing still load; the owner's next update seals the new version.
 *   <li>Nobody else reads it: read, vread and instance history are 403 (also once deleted); search
 *       and type history leave it out (the total counts only what is returned), and so do {@code
 *       _include} and notifications on Subscription criteria, since the store never opens it for
 *       another user. 403 rather than 404, as for any version the requester holds no key for; the
 *       ids are random and ledger metadata shows that a version exists anyway.
 *   <li>Writes are checked before storage ({@link SubscriptionInterceptor}): criteria our search
 *       engine parses, a rest-hook (absolute http(s) endpoint) or websocket channel, payload empty
 *       or a FHIR MIME type, well-formed headers, at most 100 live subscriptions per owner. An
 *       invalid one is 422; {@code requested} is stored as {@code active}. Only the owner may
 *       update or delete it (403).
 *   <li>A written version notifies a live subscription when the criteria type and parameters match
 *       and the owner holds a key for the version; deletions notify nobody. Matching runs in memory
 *       on the writing thread; delivery is asynchronous.
 *   <li>rest-hook endpoints ({@link EndpointPolicy}, against server-side request forgery): https to
 *       a host whose every address is public, or an endpoint matching {@code
 *       gateway.subscriptions.allowed-endpoints} ({@link EndpointPattern}: {@code
 *       scheme://host[:port][/path]}, {@code *} for any port, {@code *.example.org} for
 *       subdomains), which is accepted as configured, loopback and plain http included. Never user
 *       information, zone ids or numeric host forms other than {@code a.b.c.d}. Checked at write
 *       (422) and again, with a fresh lookup, before every delivery attempt (DNS rebinding); the
 *       client never follows redirects.
 *   <li>rest-hook: POST with the channel's headers and {@code X-Subscription-Id}. No payload: an
 *       empty body. With a payload: the resource, but only to https or loopback; to plain http
 *       elsewhere an empty body and {@code X-Subscription-Resource: Type/id/_history/v}. Failures
 *       are retried after 1, 2, 4, 8 and 16 s (six attempts); pending retries are kept in memory
 *       only, so a restart drops them (notifications are pings; the client re-reads).
 *   <li>websocket at {@value Subscriptions#WEBSOCKET_PATH}: {@code bind <id>} / {@code bound <id>}
 *       / {@code ping <id>} as in R4, authenticated by a bearer token ({@code ?access_token=},
 *       {@code Authorization} header, or a first message {@code auth <token>}) whose {@code
 *       fhirUser} must be the owner. Pings stop when the token expires.
 *   <li>Metrics: {@code gateway.subscription.deliveries{channel,outcome}} and {@code
 *       gateway.subscription.active}.
 * </ul>
 */
package org.healthgateway.server.subscription;
