// Live updates of a patient's Consents: an R4 websocket Subscription owned by the practitioner
// (the server pings only for versions the owner may read), with polling as the fallback because
// pings stop when the token expires and sockets drop on flaky networks.
import { fhirRequest, session } from "../shared/smart.js";

const POLL_MS = 10_000;

/**
 * Calls `onChange()` when the `criteria` may have new matches and `onState(live)` when the
 * socket comes up (true) or fails (false). stop() closes everything and deletes the Subscription.
 */
export function watch(client, criteria, { onChange, onState }) {
  let stopped = false;
  let socket = null;
  let subscriptionId = null;
  const timer = setInterval(() => !stopped && onChange(), POLL_MS);

  async function start() {
    try {
      // Pings stop with the token anyway; ending the Subscription then too means one left behind
      // by a closed tab (pagehide is not always delivered) stops counting for the owner.
      const end = new Date(session(client).expiresAt || Date.now() + 3_600_000).toISOString();
      const created = await fhirRequest(client, "Subscription", {
        method: "POST",
        body: {
          resourceType: "Subscription",
          status: "requested",
          reason: "practitioner app",
          criteria,
          end,
          channel: { type: "websocket" },
        },
      });
      subscriptionId = created && created.id;
      if (stopped) return removeSubscription();
      if (!subscriptionId) throw new Error("no id");
      openSocket();
    } catch (e) {
      if (!stopped) onState(false);
    }
  }

  function openSocket() {
    const { baseUrl, accessToken } = session(client);
    const url = new URL("/ws/subscriptions", baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      socket.send("auth " + accessToken);
      socket.send("bind " + subscriptionId);
    });
    socket.addEventListener("message", (event) => {
      const message = String(event.data);
      if (message.startsWith("bound ")) onState(true);
      else if (message.startsWith("ping ")) onChange();
      else if (message.startsWith("error ")) onState(false);
    });
    socket.addEventListener("error", () => !stopped && onState(false));
    socket.addEventListener("close", () => !stopped && onState(false));
  }

  function removeSubscription() {
    if (!subscriptionId) return;
    const { baseUrl, accessToken } = session(client);
    // keepalive lets the request outlive the page on pagehide; failures only leave a
    // Subscription nobody listens to, which the owner may delete later.
    fetch(baseUrl + "/Subscription/" + encodeURIComponent(subscriptionId), {
      method: "DELETE",
      headers: { Authorization: "Bearer " + accessToken },
      keepalive: true,
    }).catch(() => {});
    subscriptionId = null;
  }

  start();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      if (socket) socket.close();
      removeSubscription();
    },
  };
}
