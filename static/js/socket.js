// The one way a page opens its socket. The connection proves it comes from one of our pages (the
// CSRF token of the page, from its csrf-token meta tag, goes in the connect `auth`), and it ends
// for good when the person signs out, in this tab or another.
import { io } from "../vendor/socket.io.esm.min.js";
import { h } from "./dom.js";

// When the venue's Wi-Fi drops, every laptop in the room loses its socket in the same instant. Were
// they all to come back in the next instant too, a thousand rejoins (each a catch-up from the
// database) would reach the server together. So each tab waits 1 s give or take half (0.5-1.5 s,
// drawn anew by each tab: Socket.IO's randomizationFactor) before its first try, and the room's
// rejoins spread over a second; a try that fails waits twice as long, up to 5 s, jittered alike,
// so a server that is still away is not hammered either. bench/drops.mjs reconnects the same way.
export const RECONNECT = { reconnectionDelay: 1000, randomizationFactor: 0.5, reconnectionDelayMax: 5000 };

export function openSocket(t) {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const socket = io({ ...RECONNECT, auth: { csrf_token: token } });
  // A server whose database is away for a moment refuses the connection as `unavailable`. A refusal
  // ends Socket.IO's own retries, so the tab tries again itself, jittered as above (2.5-7.5 s).
  socket.on("connect_error", (error) => {
    if (error.message === "unavailable" && !socket.active) {
      setTimeout(() => socket.connect(), RECONNECT.reconnectionDelayMax * (0.5 + Math.random()));
    }
  });
  // No navigation here: the tab that signed out is already loading the page the server answered,
  // and leaving it early could drop the cookies that answer clears.
  socket.on("signed_out", () => {
    socket.disconnect();
    document.getElementById("main").replaceChildren(h("h1", { text: t("signed_out") }));
  });
  return socket;
}
