// The one way a page opens its socket. The connection proves it comes from one of our pages (the
// CSRF token of the page, from its csrf-token meta tag, goes in the connect `auth`), and it ends
// for good when the person signs out, in this tab or another.
import { io } from "../vendor/socket.io.esm.min.js";
import { h } from "./dom.js";

export function openSocket(t) {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const socket = io({ reconnectionDelayMax: 5000, auth: { csrf_token: token } });
  // No navigation here: the tab that signed out is already loading the page the server answered,
  // and leaving it early could drop the cookies that answer clears.
  socket.on("signed_out", () => {
    socket.disconnect();
    document.getElementById("main").replaceChildren(h("h1", { text: t("signed_out") }));
  });
  return socket;
}
