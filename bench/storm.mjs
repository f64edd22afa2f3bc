// Storm harness for the workshop app (the official Node socket.io-client, all clients in one
// process and on one clock). Prints one JSON line.
//
//   node storm.mjs votes <url[,url...]> <cookies.json> <board> <voters> <watchers> <seconds> [processes]
//     voters cast and take back dots as fast as their acks return; watchers time each tally. With
//     processes > 1 the watchers are dealt over that many child processes (`watch` mode), so that
//     receiving the tallies is not what limits a fast server; times are then wall-clock, shared by all.
//   node storm.mjs joins <url> <cookies.json> <board> <clients>
//     clients connect and join the board at once, each timing its snapshot.
//   node storm.mjs idle <url> <cookies.json> <board> <clients> [participant|watch]
//     clients connect and join (as participants, counted in presence, or only watching), print
//     {"connected": n}, and hold until stdin closes (memory is read meanwhile).
//   node storm.mjs soak <url> <cookies.json> <board> <clients> <seconds> <vote board> <report every s>
//     mixed activity for <seconds>: every client, every 5-15 s (a busy workshop), posts, edits or
//     deletes a card of its own on <board>, votes or takes back a dot on <vote board>, moves to the
//     other board and back, or drops its connection and comes back. Prints a JSON line per report period and one at the end,
//     whose `expected` is what the acknowledgements say the database holds: each live card's text, the deleted cards, the
//     dots per card; `unsure` names what a lost ack leaves unknown (a card or dot whose write may or may not have landed).
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [mode, urlList, cookieFile, boardArg, ...rest] = process.argv.slice(2);
const urls = urlList.split(","); // several processes: clients are dealt out in turn
const people = JSON.parse(readFileSync(cookieFile, "utf8")); // [{"cookie", "csrf_token"}], one per client
const boardId = Number(boardArg);
const now = () => performance.timeOrigin + performance.now(); // wall-clock ms: one clock for child processes too
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null;
};

function call(socket, event, payload) {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}

function connect(index, { watch = true, onSocket } = {}) {
  return new Promise((resolve, reject) => {
    const socket = io(urls[index % urls.length], {
      transports: ["websocket"], reconnection: false,
      extraHeaders: { Cookie: people[index].cookie }, auth: { csrf_token: people[index].csrf_token },
    });
    if (onSocket) onSocket(socket);
    socket.on("connect", async () => {
      const started = now();
      const ack = await call(socket, "join_board", { board_id: boardId, watch });
      if (!ack.ok) return reject(new Error(JSON.stringify(ack)));
      resolve({ socket, ack, joinMs: now() - started });
    });
    socket.on("connect_error", reject);
    socket.on("disconnect", (reason) => reject(new Error(`client ${index} disconnected: ${reason}`)));
  });
}

async function connectMany(from, count, options) {
  const joined = [];
  for (let start = from; start < from + count; start += 50) {
    const batch = [];
    for (let index = start; index < Math.min(from + count, start + 50); index += 1) batch.push(connect(index, options));
    joined.push(...(await Promise.all(batch)));
  }
  return joined;
}

// Watchers [from, from + count): each records the `votes_changed` it gets; the first `samples` of
// them keep every update with its time. stop() gives those records and what the first one last saw.
async function watch(from, count, samples) {
  const tallies = []; // per sampled watcher: [time, counts]
  const lastSeen = {}; // card -> count, merged over all updates one watcher saw
  const sockets = await connectMany(from, count, {
    onSocket: (socket) => {
      const sample = tallies.length < samples ? [] : null;
      if (sample) tallies.push(sample);
      socket.on("votes_changed", (payload) => {
        if (sample) sample.push([now(), payload.counts]);
        if (sample === tallies[0]) Object.assign(lastSeen, payload.counts);
      });
    },
  });
  return async () => {
    for (const { socket } of sockets) socket.disconnect();
    return { tallies, lastSeen };
  };
}

// The same, in a child process (`node storm.mjs watch ...`), talking over the IPC channel.
function watchElsewhere(from, count, samples) {
  const child = fork(new URL(import.meta.url).pathname, ["watch", urlList, cookieFile, boardArg, from, count, samples], { stdio: "inherit" });
  const next = () => new Promise((resolve, reject) => { child.once("message", resolve); child.once("exit", (code) => code && reject(new Error(`watcher process exited ${code}`))); });
  return next().then(() => async () => { child.send("stop"); return next(); });
}

async function watchHere(from, count, samples) {
  const stop = await watch(from, count, samples);
  process.send("ready");
  process.once("message", async () => process.send(await stop(), () => process.exit(0)));
  return new Promise(() => {}); // until told to stop
}

async function votes(voterCount, watcherCount, seconds, processes = 1) {
  const share = Math.ceil(watcherCount / processes);
  const stops = await Promise.all(Array.from({ length: processes }, (_, n) => {
    const from = voterCount + n * share;
    const count = Math.min(share, voterCount + watcherCount - from);
    const samples = Math.ceil(50 / processes);
    return processes > 1 ? watchElsewhere(from, count, samples) : watch(from, count, samples);
  }));
  const voters = await connectMany(0, voterCount);
  const ideas = voters[0].ack.snapshot.cards.filter((card) => card.lane === "idea").map((card) => card.id);
  const budget = voters[0].ack.snapshot.board.voting.budget;
  const accepted = [];
  const net = {};
  let refused = 0;
  const deadline = now() + seconds * 1000;
  await Promise.all(voters.map(async ({ socket }) => {
    const mine = [];
    while (now() < deadline) {
      const add = mine.length < budget;
      const card = add ? ideas[Math.floor(Math.random() * ideas.length)] : mine.shift();
      const sent = now();
      const ack = await call(socket, add ? "vote" : "unvote", { card_id: card });
      if (!ack.ok) { refused += 1; if (!add) mine.push(card); continue; }
      if (add) mine.push(card);
      accepted.push({ card, sent, acked: now() });
      net[card] = (net[card] || 0) + (add ? 1 : -1);
    }
  }));
  const elapsed = seconds;
  await sleep(1500);
  const heard = await Promise.all(stops.map((stop) => stop()));
  const tallies = heard.flatMap((part) => part.tallies);
  const lastSeen = heard[0].lastSeen;
  const latencies = [];
  for (const op of accepted.filter((_, index) => index % 5 === 0)) {
    for (const sample of tallies) {
      const update = sample.find(([time, counts]) => time >= op.acked && String(op.card) in counts);
      if (update) latencies.push(update[0] - op.sent);
    }
  }
  const expected = Object.fromEntries(ideas.map((card) => [String(card), net[card] || 0]));
  const wrong = ideas.filter((card) => (lastSeen[String(card)] ?? 0) !== expected[String(card)]).length;
  const messages = tallies[0] ? tallies[0].length : 0;
  for (const { socket } of voters) socket.disconnect();
  return { voters: voterCount, watchers: watcherCount, watcher_processes: processes, seconds: elapsed, accepted: accepted.length, refused,
           votes_per_s: accepted.length / elapsed, tally_p50: percentile(latencies, 50), tally_p95: percentile(latencies, 95),
           tally_messages_per_watcher: messages, cards_off: wrong, expected };
}

async function joins(count) {
  const started = now();
  const joined = await Promise.all(Array.from({ length: count }, (_, index) => connect(index, { watch: false })));
  const total = now() - started;
  const times = joined.map((entry) => entry.joinMs);
  const cards = joined[0].ack.snapshot.cards.length;
  for (const { socket } of joined) socket.disconnect();
  return { clients: count, cards, all_joined_s: total / 1000, snapshot_p50: percentile(times, 50), snapshot_p95: percentile(times, 95) };
}

async function idle(count, as) {
  const joined = await connectMany(0, count, { watch: as !== "participant" });
  console.log(JSON.stringify({ connected: joined.length }));
  await new Promise((resolve) => { process.stdin.on("end", resolve); process.stdin.resume(); });
  for (const { socket } of joined) socket.disconnect();
  return { held: joined.length };
}

const ARRIVAL_S = 20;

async function soak(count, seconds, voteBoard, every) {
  const started = now();
  const errors = {}; // code -> count: refused acks, ack timeouts, unexpected disconnects, failed connects
  const fail = (code) => { errors[code] = (errors[code] || 0) + 1; };
  const ops = {};
  const live = {}; // card id -> its acknowledged text
  const deleted = [];
  const unsure = { adds: 0, cards: new Set(), dots: new Set() }; // writes whose ack never came
  let window = []; // ack times of this report period
  const all = [];
  const scout = (await connect(0)).socket;
  const ideas = (await call(scout, "join_board", { board_id: voteBoard, watch: true })).snapshot.cards.map((card) => card.id);
  scout.disconnect();
  // `me.failure` says why the last event of that client got no ack: "timeout" or the refusal's code.
  const timed = async (socket, event, payload, me = {}) => {
    me.failure = null;
    const sent = now();
    let ack;
    try {
      ack = await socket.timeout(15000).emitWithAck(event, payload);
    } catch {
      fail(`${event}: no ack in 15 s`);
      me.failure = "timeout";
      if (event === "add_card") unsure.adds += 1;
      else if (event === "edit_card" || event === "delete_card") unsure.cards.add(payload.card_id);
      else if (event === "vote" || event === "unvote") unsure.dots.add(payload.card_id);
      return null;
    }
    window.push(now() - sent);
    ops[event] = (ops[event] || 0) + 1;
    if (!ack.ok) { fail(`${event}: ${ack.error.code}`); me.failure = ack.error.code; return null; }
    return ack;
  };
  const everyone = []; // every client's state, for the dots it holds at the end
  const watch = (socket, person) => socket.on("disconnect", (reason) => { if (!person.leaving) fail(`disconnect: ${reason}`); });

  // A connect and its join, given up after 30 s (a join whose ack never came would hold the run open).
  const arrive = (index, me) => Promise.race([connect(index, { watch: false, onSocket: (s) => watch(s, me) }),
                                             sleep(30000).then(() => { throw new Error("no join ack in 30 s"); })]);

  async function person(index) {
    const me = { leaving: false, cards: [], dots: [], lost: [], board: boardId, n: 0 }; // lost: dots whose (un)vote ack never came
    everyone.push(me);
    // Arrivals spread over the first ARRIVAL_S (at 500 clients, 25 a second), as a room fills; all 500 at
    // once on PostgreSQL kept the 15 pooled connections of each process past their 30 s timeout.
    await sleep((index / count) * ARRIVAL_S * 1000);
    let socket;
    try {
      ({ socket } = await arrive(index, me));
    } catch (error) {
      fail(`connect: ${error.message}`);
      return;
    }
    await sleep(Math.random() * 10000); // spread the first actions out
    while (now() - started < seconds * 1000) {
      await sleep(5000 + Math.random() * 10000);
      const roll = Math.random();
      if (roll < 0.4) {
        if (me.cards.length >= 3) { // keep the board at a workshop's size: at most 3 live cards each
          const card = me.cards.shift();
          // Not tried again when refused or unanswered: after a lost ack the card may be gone (no_such_card for ever).
          if (await timed(socket, "delete_card", { card_id: card })) { delete live[card]; deleted.push(card); }
        } else {
          me.n += 1;
          const text = `Soak card ${index}-${me.n}`;
          const ack = await timed(socket, "add_card", { board_id: boardId, lane: ["problem", "idea", "action"][me.n % 3],
                                                        text, client_id: `soak-${index}-${me.n}` });
          if (ack) { me.cards.push(ack.card.id); live[ack.card.id] = text; }
        }
      } else if (roll < 0.55) {
        const card = me.cards[me.cards.length - 1];
        const text = `Soak card ${index}-${me.n}, edited`;
        if (card && await timed(socket, "edit_card", { card_id: card, text })) live[card] = text;
      } else if (roll < 0.9) {
        const add = me.dots.length < 20;
        const card = add ? ideas[Math.floor(Math.random() * ideas.length)] : me.dots.shift();
        if (await timed(socket, add ? "vote" : "unvote", { card_id: card }, me)) { if (add) me.dots.push(card); }
        else if (me.failure === "timeout") me.lost.push(card); // held or not: unknown
        else if (me.failure === "no_dots_left" && me.lost.length) me.dots.push(me.lost.shift()); // a lost vote landed: take it back next
      } else if (roll < 0.95) {
        const next = me.board === boardId ? voteBoard : boardId;
        await timed(socket, "leave_board", { board_id: me.board });
        if (await timed(socket, "join_board", { board_id: next })) me.board = next;
      } else {
        me.leaving = true;
        socket.disconnect();
        me.leaving = false;
        try {
          ({ socket } = await arrive(index, me));
          ops.reconnect = (ops.reconnect || 0) + 1;
          me.board = boardId;
        } catch (error) {
          fail(`connect: ${error.message}`);
          return;
        }
      }
    }
    me.leaving = true;
    socket.disconnect();
  }

  const reporter = setInterval(() => {
    all.push(...window);
    console.log(JSON.stringify({ t: Math.round((now() - started) / 1000), acks: window.length, p50: percentile(window, 50),
                                 p95: percentile(window, 95), errors: { ...errors } }));
    window = [];
  }, every * 1000);
  await Promise.all(Array.from({ length: count }, (_, index) => person(index)));
  clearInterval(reporter);
  all.push(...window);
  const dots = {};
  for (const me of everyone) for (const card of me.dots) dots[card] = (dots[card] || 0) + 1;
  return { clients: count, seconds: Math.round((now() - started) / 1000), ops, acks: all.length, p50: percentile(all, 50),
           p95: percentile(all, 95), p99: percentile(all, 99), errors,
           expected: { cards: live, deleted, dots, vote_board: voteBoard, card_board: boardId },
           unsure: { adds: unsure.adds, cards: [...unsure.cards], dots: [...unsure.dots] } };
}

const run = { votes: () => votes(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3] || 1)),
              watch: () => watchHere(Number(rest[0]), Number(rest[1]), Number(rest[2])), joins: () => joins(Number(rest[0])), idle: () => idle(Number(rest[0]), rest[1]),
              soak: () => soak(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3])) }[mode];
// Written, then exit once it is flushed: process.exit() right after console.log cuts what a pipe has
// not taken yet at 64 KiB, and a 30-minute soak's acknowledgements are more (its check was lost).
run().then((result) => process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0)))
  .catch((error) => { console.error(error); process.exit(1); });
