// Sending a change over the socket and waiting for its acknowledgement: the one way pages ask.

const TIMEOUT_MS = 15000;

/**
 * `request(event, payload)` for `socket`: a promise of the server's ack, or of
 * `{ok: false, error: {message: t("reconnecting")}}` when no ack comes in time.
 * `failFast()`, when given and true, answers that at once instead of sending (the board page: once it
 * has been connected, a drop answers at once, so that nothing done minutes ago lands by surprise).
 */
export function requester(socket, t, failFast = () => false) {
  const unsent = () => ({ ok: false, error: { message: t("reconnecting") } });
  return (event, payload) => new Promise((resolve) => {
    if (failFast()) {
      resolve(unsent());
      return;
    }
    socket.timeout(TIMEOUT_MS).emit(event, payload, (error, ack) => resolve(error ? unsent() : ack));
  });
}
