// Per-event CPU costs of the server (bench/costs.py starts it and prints the table): each phase
// sends its events one after another, each awaiting its ack (and, where the event fans out, until
// every recipient has it), and reads the server processes' CPU time (utime + stime in
// /proc/<pid>/stat) before and after. The official Node socket.io-client, so WebSocket with
// permessage-deflate offered, as a browser does.
//
//   node costs.mjs <url[,url...]> <pid[,pid...]> <cookies.json> <small board> <vote board> <crowded board> <recipients> <n>
//     The first pid is the server at the first url; any other is a process sharing its rooms through
//     Redis with one idle client of its own: what it spends is what the room's traffic costs a process that
//     only relays it. Prints one JSON line.
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [urlList, pidList, cookieFile, smallArg, voteArg, crowdedArg, recipientsArg, nArg] = process.argv.slice(2);
const [url, ...relays] = urlList.split(",");
const pids = pidList.split(",").map(Number);
const people = JSON.parse(readFileSync(cookieFile, "utf8"));
const [small, voteBoard, crowded, recipients, n] = [smallArg, voteArg, crowdedArg, recipientsArg, nArg].map(Number);
const TICK_MS = 10; // USER_HZ is 100 on Linux

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the third on
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
};
const cpu = () => pids.map(cpuMs);

function open(index, at = url) {
  return new Promise((resolve, reject) => {
    const socket = io(at, { transports: ["websocket"], reconnection: false, forceNew: true,
                             extraHeaders: { Cookie: people[index].cookie }, auth: { csrf_token: people[index].csrf_token } });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function call(socket, event, payload) {
  const ack = await socket.timeout(30000).emitWithAck(event, payload);
  if (!ack.ok) throw new Error(`${event}: ${JSON.stringify(ack.error)}`);
  return ack;
}

// CPU per second of each process while nothing happens (pings, timers), to take out of each phase.
async function idleRate() {
  const before = cpu();
  await sleep(5000);
  return cpu().map((ms, i) => (ms - before[i]) / 5000);
}

async function measure(idle, work) {
  const started = performance.now();
  const before = cpu();
  const events = await work();
  const elapsed = performance.now() - started;
  return cpu().map((ms, i) => Math.max(0, ms - before[i] - idle[i] * elapsed) / events);
}

async function main() {
  // A process subscribes to the Redis queue at its first connection: each relaying process gets one idle client.
  for (const [k, relay] of relays.entries()) await open(59 - k, relay);
  const actor = await open(0);
  await call(actor, "join_board", { board_id: small });
  let idle = await idleRate();
  const result = { n, recipients, idle_cpu_ms_per_s: idle.map((rate) => rate * 1000) };

  // A card posted to a board nobody else has open: the write, the event log, the ack, one emit.
  let counter = 0;
  const post = () => call(actor, "add_card", { board_id: small, lane: "idea", text: `Cost card ${++counter}`, client_id: `cost-${counter}` });
  for (let i = 0; i < 10; i += 1) await post(); // warm: the first events of a kind load code and fill caches
  result.card_post = await measure(idle, async () => { for (let i = 0; i < n; i += 1) await post(); return n; });

  // A vote, then taking it back: the write, the ack; the tally goes out at most every 250 ms.
  const idea = (await call(actor, "join_board", { board_id: voteBoard })).snapshot.cards.find((card) => card.lane === "idea").id;
  for (let i = 0; i < 10; i += 1) await call(actor, i % 2 ? "unvote" : "vote", { card_id: idea });
  result.vote = await measure(idle, async () => {
    for (let i = 0; i < n; i += 1) await call(actor, i % 2 ? "unvote" : "vote", { card_id: idea });
    return n;
  });
  await call(actor, "leave_board", { board_id: voteBoard });

  // Joining a board with its snapshot (leaving it again is counted in): a small board, then one of 1,000 cards.
  for (const [name, board, times] of [["join_small", small, n], ["join_1000_cards", crowded, Math.ceil(n / 4)]]) {
    const other = await open(1);
    await call(other, "join_board", { board_id: board }); // the snapshot cache warm, as at a busy board
    result[name] = await measure(idle, async () => {
      for (let i = 0; i < times; i += 1) {
        await call(other, "leave_board", { board_id: board });
        await call(other, "join_board", { board_id: board });
      }
      return times;
    });
    other.disconnect();
  }

  // A reconnect: a new socket (handshake, session, CSRF check), join with `since` at the last
  // sequence number (nothing missed), then the drop; presence changes go to the actor.
  const lastSeq = (await call(actor, "join_board", { board_id: small })).snapshot.last_seq;
  result.reconnect = await measure(idle, async () => {
    for (let i = 0; i < n; i += 1) {
      const socket = await open(2 + (i % 50));
      await call(socket, "join_board", { board_id: small, since: lastSeq });
      socket.disconnect();
    }
    await sleep(500); // the disconnects' own work
    return n;
  });

  // Fan-out: the same post with `recipients` participants on the board; each recipient's share
  // is the difference from the post alone, divided by them.
  const audience = [];
  for (let start = 0; start < recipients; start += 10) { // 10 at a time: a loaded host's pool refused 50 at once
    audience.push(...(await Promise.all(Array.from({ length: Math.min(10, recipients - start) }, async (_, k) => {
      const socket = await open(60 + start + k);
      let got = 0;
      socket.on("card_added", () => { got += 1; });
      await call(socket, "join_board", { board_id: small });
      return { socket, got: () => got };
    }))));
  }
  await sleep(3000); // presence settles
  idle = await idleRate(); // pings and timers of that many sockets
  result.idle_cpu_ms_per_s_with_recipients = idle.map((rate) => rate * 1000);
  const base = audience.map(({ got }) => got());
  result.card_post_fanout = await measure(idle, async () => {
    for (let i = 0; i < n; i += 1) {
      await post();
      const deadline = performance.now() + 30000;
      while (audience.some(({ got }, k) => got() - base[k] < i + 1) && performance.now() < deadline) await sleep(1);
    }
    return n;
  });
  result.delivered = audience.reduce((sum, { got }, k) => sum + got() - base[k], 0);
  result.per_recipient = result.card_post_fanout.map((ms, i) => (ms - result.card_post[i]) / recipients);
  for (const { socket } of audience) socket.disconnect();
  actor.disconnect();
  console.log(JSON.stringify(result));
}

main().then(() => process.exit(0)).catch((error) => { console.error(error); process.exit(1); });
