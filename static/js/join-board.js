// Opening a board over the socket, shared by the board page, the console and the projector. A page
// that reconnected often, or a console opening many boards, can go over the per-person limit on
// opening boards: the server then answers slow_down with the seconds to wait, and we try again then.
const retries = new Map(); // board id -> timer of the next try

export function joinBoard(socket, payload, onAck) {
  clearTimeout(retries.get(payload.board_id));
  socket.emit("join_board", payload, (ack) => {
    if (!ack.ok && ack.error.code === "slow_down") {
      retries.set(payload.board_id, setTimeout(() => {
        if (socket.connected) joinBoard(socket, payload, onAck);
      }, ack.error.retry_after * 1000));
    }
    onAck(ack);
  });
}
