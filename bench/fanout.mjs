// Fan-out harness: N clients connected to one server; one sender sends R rounds; every client
// records when each round reaches it. Prints JSON: {"clients", "rounds", "processes", "p50",
// "p95", "p99", "max", "delivered", "expected", "harness_cpu_ms"} in milliseconds (the last: the busiest
// Node process's CPU time per round, rounds' pauses included). With FANOUT_WAIT_FOR_GO=1 it
// first prints {"connected": N} once every client is in, and starts the rounds at a line on stdin.
//
//   node fanout.mjs <url[,url...]> <clients> <rounds> <mode> [cookies.json] [board id] [processes]
//
// With several URLs (processes sharing rooms through Redis), clients are dealt out in turn; the
// sender is on the first.
// mode "floor": a bare server; the sender emits "fanout" and clients receive "fanned".
// mode "app": the workshop app; clients join the board as participants (in its presence, as a
//             person on a laptop is), the sender posts cards (add_card) and clients receive
//             "card_added". cookies.json holds one {"cookie", "csrf_token"} per client: its
//             session cookie, and the token its page would show (the connect auth).
// With processes > 1 the clients are dealt over that many Node processes (this one keeps the
// sender and its share): one Node process receiving 2,000 messages a round spends tens of
// milliseconds on them one after another, which the server is then blamed for. Times are
// wall-clock (performance.timeOrigin + now), the same clock in every process on this machine.
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [urlList, clientCount, roundCount, mode, cookieFile, boardArg, processArg, ...childArgs] = process.argv.slice(2);
const waitForGo = process.env.FANOUT_WAIT_FOR_GO === "1";
const urls = urlList.split(",");
const clients = Number(clientCount);
const rounds = Number(roundCount);
const boardId = Number(boardArg);
const processes = Math.max(1, Number(processArg) || 1);
const people = cookieFile ? JSON.parse(readFileSync(cookieFile, "utf8")) : [];
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(index, heard) {
  return new Promise((resolve, reject) => {
    const socket = io(urls[index % urls.length], {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: people[index] ? { Cookie: people[index].cookie } : {},
      auth: people[index] ? { csrf_token: people[index].csrf_token } : {},
    });
    socket.on("fanned", (payload) => heard(payload.tag));
    socket.on("card_added", (payload) => heard(payload.card.text));
    socket.on("connect", () => {
      if (mode !== "app") return resolve(socket);
      socket.emit("join_board", { board_id: boardId }, (ack) => (ack.ok ? resolve(socket) : reject(new Error(JSON.stringify(ack)))));
    });
    socket.on("connect_error", reject);
  });
}

// Clients [from, from + count) in this process: each delivery's time, by round tag; `onRound(tag)`
// when every one of them has a round.
async function receivers(from, count, onRound) {
  const times = {}; // tag -> [receive times]
  const heard = (tag) => {
    (times[tag] ||= []).push(now());
    if (times[tag].length === count) onRound(tag);
  };
  const sockets = [];
  for (let start = from; start < from + count; start += 50) {
    const batch = [];
    for (let index = start; index < Math.min(from + count, start + 50); index += 1) batch.push(connect(index, heard));
    sockets.push(...(await Promise.all(batch)));
  }
  return { sockets, times };
}

// A child process (`node fanout.mjs ... child <from> <count>`): its receivers, told over IPC.
async function child(from, count) {
  const { sockets, times } = await receivers(from, count, (tag) => process.send({ round: tag }));
  process.send({ ready: true });
  const started = process.cpuUsage();
  process.on("message", () => {
    const cpu = process.cpuUsage(started);
    for (const socket of sockets) socket.disconnect();
    process.send({ times, cpu: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
  });
}

function elsewhere(from, count, onRound) {
  const worker = fork(new URL(import.meta.url).pathname, [urlList, clientCount, roundCount, mode, cookieFile || "", boardArg || "", "1", "child", from, count]);
  let finished;
  const done = new Promise((resolve) => { finished = resolve; });
  const ready = new Promise((resolve, reject) => {
    worker.on("message", (message) => {
      if (message.ready) resolve();
      else if (message.round) onRound(message.round);
      else if (message.times) finished(message);
    });
    worker.on("exit", (code) => code && reject(new Error(`receiver process exited ${code}`)));
  });
  return ready.then(() => ({ stop: () => { worker.send("stop"); return done; } }));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const share = Math.ceil(clients / processes);
  const complete = {}; // tag -> how many processes have every delivery
  const onRound = (tag) => { complete[tag] = (complete[tag] || 0) + 1; };
  const others = await Promise.all(Array.from({ length: processes - 1 }, (_, n) => {
    const from = (n + 1) * share;
    return elsewhere(from, Math.max(0, Math.min(share, clients - from)), onRound);
  }));
  const here = await receivers(0, Math.min(share, clients), onRound);
  const sender = here.sockets[0];
  await sleep(1000); // the joins' last presence news (coalesced, twice a second) is not a round's
  if (waitForGo) { // the caller reads the server's CPU time now, then once the rounds are over
    console.log(JSON.stringify({ connected: clients }));
    await new Promise((resolve) => process.stdin.once("data", resolve));
  }
  const sent = {};
  const started = process.cpuUsage();
  for (let round = 0; round < rounds; round += 1) {
    const tag = `round ${round} ${Math.random().toString(36).slice(2)}`;
    sent[tag] = now();
    if (mode === "app") sender.emit("add_card", { board_id: boardId, lane: "problem", text: tag }, () => {});
    else sender.emit("fanout", { tag });
    const deadline = now() + 10000;
    while ((complete[tag] || 0) < processes && now() < deadline) await sleep(5);
    await sleep(100);
  }
  const cpu = process.cpuUsage(started);
  const heard = [{ times: here.times, cpu: (cpu.user + cpu.system) / 1000 }, ...(await Promise.all(others.map((other) => other.stop())))];
  for (const socket of here.sockets) socket.disconnect();
  const latencies = heard.flatMap(({ times }) => Object.entries(times).flatMap(([tag, at]) => (tag in sent ? at.map((t) => t - sent[tag]) : [])));
  const sorted = latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    clients, rounds, processes, delivered: sorted.length, expected: clients * rounds,
    harness_cpu_ms: Math.max(...heard.map((part) => part.cpu)) / rounds, // the busiest Node process's, per round
    p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1],
  }));
  process.exit(0);
}

if (childArgs[0] === "child") child(Number(childArgs[1]), Number(childArgs[2])).catch((error) => { console.error(error); process.exit(1); });
else main().catch((error) => { console.error(error); process.exit(1); });
