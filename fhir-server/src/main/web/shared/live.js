// Live updates through a FHIR R4 Subscription with a websocket channel: the gateway pings the
// socket when a version matching the criteria is written and the subscriber can read it. The
// Subscription belongs to the signed-in user; the socket authenticates with its first message.
import { fhirRequest, session } from "./smart.js";

/**
 * Subscribes to `criteria` (e.g. "Consent?patient=Patient/p") and calls `onChange` on every ping.
 * `onState(state)` hears "live", "retrying" and "unavailable". Returns a stop() that closes the
 * socket and deletes the Subscription.
 */
export async function watch(client, criteria, { onChange, onState = () => {}, reason }) {
  const subscription = await fhirRequest(client, "Subscription", {
    method: "POST",
    body: {
      resourceType: "Subscription",
      status: "requested",
      reason: reason || "live updates of a web app",
      criteria,
      channel: { type: "websocket", payload: "application/fhir+json" },
    },
  });
  const { baseUrl, accessToken } = session(client);
  const socketUrl = baseUrl.replace(/^http/, "ws").replace(/\/fhir$/, "") + "/ws/subscriptions";
  let socket;
  let stopped = false;
  let attempts = 0;
  const connect = () => {
    socket = new WebSocket(socketUrl);
    socket.addEventListener("open", () => {
      socket.send("auth " + accessToken);
      socket.send("bind " + subscription.id);
    });
    socket.addEventListener("message", (event) => {
      const text = String(event.data);
      if (text.startsWith("bound ")) {
        attempts = 0;
        onState("live");
      } else if (text.startsWith("ping ")) {
        onChange();
      } else if (text.startsWith("error ")) {
        onState("unavailable");
      }
    });
    socket.addEventListener("close", () => {
      if (stopped) return;
      attempts += 1;
      if (attempts > 5) {
        onState("unavailable");
        return;
      }
      onState("retrying");
      setTimeout(connect, 1000 * attempts);
    });
  };
  connect();
  return async () => {
    stopped = true;
    if (socket) socket.close();
    try {
      await fhirRequest(client, "Subscription/" + subscription.id, { method: "DELETE" });
    } catch {
      // The subscription stays until its owner deletes it; nothing else hears of it.
    }
  };
}
