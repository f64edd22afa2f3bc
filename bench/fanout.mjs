// Fan-out harness: N clients connected to one server; one sender sends R rounds; every client
// records when each round reaches it. All clients live in this one process, so one clock times
// every delivery. Prints JSON: {"clients", "rounds", "p50", "p95", "p99", "max"} in milliseconds.
//
//   node fanout.mjs <url[,url...]> <clients> <rounds> <mode> [cookies.json] [board id]
//
// With several URLs (processes sharing rooms through Redis), clients are dealt out in turn; the
// sender is on the first.
// mode "floor": a bare server; the sender emits "fanout" and clients receive "fanned".
// mode "app": the workshop app; clients join the board, the sender posts cards (add_card) and
//             clients receive "card_added". cookies.json holds one {"cookie", "csrf_token"} per
//             client: its session cookie, and the token its page would show (the connect auth).
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [urlList, clientCount, roundCount, mode, cookieFile, boardArg] = process.argv.slice(2);
const urls = urlList.split(",");
const clients = Number(clientCount);
const rounds = Number(roundCount);
const boardId = Number(boardArg);
const people = cookieFile ? JSON.parse(readFileSync(cookieFile, "utf8")) : [];
const sent = new Map();
const latencies = [];
const sockets = [];

function connect(index) {
  return new Promise((resolve, reject) => {
    const socket = io(urls[index % urls.length], {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: people[index] ? { Cookie: people[index].cookie } : {},
      auth: people[index] ? { csrf_token: people[index].csrf_token } : {},
    });
    const received = (tag) => {
      const start = sent.get(tag);
      if (start !== undefined) latencies.push(performance.now() - start);
    };
    socket.on("fanned", (payload) => received(payload.tag));
    socket.on("card_added", (payload) => received(payload.card.text));
    socket.on("connect", () => {
      if (mode !== "app") return resolve(socket);
      socket.emit("join_board", { board_id: boardId, watch: true }, (ack) => (ack.ok ? resolve(socket) : reject(new Error(JSON.stringify(ack)))));
    });
    socket.on("connect_error", reject);
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  for (let start = 0; start < clients; start += 50) {
    const batch = [];
    for (let index = start; index < Math.min(clients, start + 50); index += 1) batch.push(connect(index));
    sockets.push(...(await Promise.all(batch)));
  }
  const sender = sockets[0];
  for (let round = 0; round < rounds; round += 1) {
    const tag = `round ${round} ${Math.random().toString(36).slice(2)}`;
    const expected = latencies.length + clients;
    sent.set(tag, performance.now());
    if (mode === "app") sender.emit("add_card", { board_id: boardId, lane: "problem", text: tag }, () => {});
    else sender.emit("fanout", { tag });
    const deadline = performance.now() + 10000;
    while (latencies.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(JSON.stringify({
    clients, rounds, delivered: sorted.length, expected: clients * rounds,
    p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1],
  }));
  for (const socket of sockets) socket.disconnect();
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
