// The venue's Wi-Fi drops (issue 18): every participant's connection is cut at once, abruptly (a TCP
// reset, no Socket.IO goodbye), while writers keep posting and voting; each client reconnects with
// the backoff the browser uses (static/js/socket.js) and rejoins its board with `since`. The official
// Node socket.io-client, all clients in one process and on one clock. Prints one JSON line: what each
// client received (the checking against the server's event log is bench/drops.py's), and the times.
//
//   node drops.mjs <url> <cookies.json> <board,board,...> <clients> <writers per board> <cut after s> <write on for s>
//     writers start once every client has joined, the cut comes <cut after s> later, and they go on
//     writing until <write on for s> after the last client rejoined.
//     cookies.json holds the clients' people first, then the writers' (a writer is not cut off).
//     With 0 writers it also runs against the floor (bench/floor.py), which keeps no events.
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [url, cookieFile, boardList, clientArg, writerArg, cutArg, writeArg] = process.argv.slice(2);
const people = JSON.parse(readFileSync(cookieFile, "utf8"));
const boards = boardList.split(",").map(Number);
const clientCount = Number(clientArg);
const writersPerBoard = Number(writerArg);
const cutAfter = Number(cutArg) * 1000;
const writeFor = Number(writeArg) * 1000; // after the last rejoin
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SEQUENCED = ["card_added", "card_edited", "card_hidden", "card_restored", "card_removed", "board_updated"];
// The browser's backoff, read from static/js/socket.js (its one home): the first try after a drop
// 0.5-1.5 s later.
const BACKOFF = JSON.parse(readFileSync(new URL("../static/js/socket.js", import.meta.url), "utf8")
  .match(/export const RECONNECT = (\{[^}]*\});/)[1].replace(/(\w+):/g, '"$1":'));

// An ack, or {ok: false} with the code `no_ack` after `seconds`: a slow server is a figure, not a
// crash. A page waits for its join_board as long as it takes (join-board.js sets no timeout).
async function call(socket, event, payload, seconds = 30) {
  try {
    return await socket.timeout(seconds * 1000).emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: "no_ack" } };
  }
}

// A participant on `board`: joins, records every sequenced event with the connection it came on, and
// after a drop rejoins with `since` (the last seq it holds) as board-sync.js does.
function participant(index, board) {
  const me = { index, board, connection: 0, since: null, joins: [], events: [], presence: [], errors: [] };
  const socket = io(url, {
    transports: ["websocket"], ...BACKOFF,
    extraHeaders: { Cookie: people[index].cookie }, auth: { csrf_token: people[index].csrf_token },
  });
  me.socket = socket;
  let lastSeq = null;
  for (const type of SEQUENCED) {
    socket.on(type, (payload) => {
      if (payload.board_id !== board) return;
      me.events.push([me.connection, payload.seq]);
      if (lastSeq !== null && payload.seq === lastSeq + 1) lastSeq = payload.seq;
    });
  }
  socket.on("presence_changed", (summary) => { if (summary.board_id === board) me.presence.push([now(), summary.count]); });
  socket.on("connect_error", (error) => me.errors.push(`connect_error: ${error.message}`));
  me.joined = new Promise((resolve) => {
    socket.on("connect", async () => {
      me.connection += 1;
      const connection = me.connection;
      const payload = lastSeq === null ? { board_id: board } : { board_id: board, since: lastSeq };
      const sent = now();
      const ack = await call(socket, "join_board", payload, 120);
      if (!ack.ok) { me.errors.push(`join_board: ${ack.error.code}`); resolve(); return; }
      const caught = ack.snapshot ? [] : ack.events.map((event) => event.seq);
      const presence = ack.presence ? ack.presence.count : null; // the floor (bench/floor.py) keeps none
      me.joins.push({ connection, since: payload.since ?? null, sent, acked: now(), kind: ack.snapshot ? "snapshot" : "events",
                      caught, last_seq: ack.last_seq ?? 0, presence });
      // What the catch-up brings is applied; live events already past it wait their turn (as the
      // page's buffer does), and those it holds are ignored.
      lastSeq = Math.max(lastSeq ?? 0, ack.last_seq ?? 0);
      const pending = me.events.filter(([on, seq]) => on === connection && seq > lastSeq).map(([, seq]) => seq).sort((a, b) => a - b);
      for (const seq of pending) if (seq === lastSeq + 1) lastSeq = seq;
      if (presence !== null) me.presence.push([now(), presence]);
      resolve();
    });
  });
  me.lastSeq = () => lastSeq;
  return me;
}

// One writer per board per `writersPerBoard`: posts a card and edits it, over and over (and votes
// where the board votes), never cut off. Returns the number of acknowledged writes.
async function writer(index, board, writing, counts) {
  const socket = io(url, { transports: ["websocket"], reconnection: false,
                           extraHeaders: { Cookie: people[index].cookie }, auth: { csrf_token: people[index].csrf_token } });
  await new Promise((resolve, reject) => { socket.on("connect", resolve); socket.on("connect_error", reject); });
  const joined = await call(socket, "join_board", { board_id: board, watch: true });
  if (!joined.ok) { counts[`writer's join ${joined.error.code}`] = 1; return; }
  const ideas = joined.snapshot.cards.filter((card) => card.lane === "idea").map((card) => card.id);
  const votes = joined.snapshot.board.phase === "vote";
  let n = 0;
  while (writing.on) {
    n += 1;
    const ack = await call(socket, "add_card", { board_id: board, lane: "problem", text: `Writer ${index} card ${n}`, client_id: `drops-${index}-${n}` });
    counts[ack.ok ? "ok" : ack.error.code] = (counts[ack.ok ? "ok" : ack.error.code] || 0) + 1;
    if (ack.ok) {
      const edit = await call(socket, "edit_card", { card_id: ack.card.id, text: `Writer ${index} card ${n}, edited` });
      counts[edit.ok ? "ok" : edit.error.code] = (counts[edit.ok ? "ok" : edit.error.code] || 0) + 1;
    }
    if (votes && ideas.length) {
      const vote = await call(socket, n % 2 ? "vote" : "unvote", { card_id: ideas[n % ideas.length] });
      counts[vote.ok ? "votes" : `vote ${vote.error.code}`] = (counts[vote.ok ? "votes" : `vote ${vote.error.code}`] || 0) + 1;
    }
    await sleep(50);
  }
  socket.disconnect();
}

// Gone without a goodbye: the TCP connection reset under the WebSocket, as when the venue's access
// points restart. The client sees its transport close and reconnects by itself.
function cutOff(me) {
  me.socket.io.engine.transport.ws._socket.resetAndDestroy();
}

async function main() {
  const started = now();
  const clients = [];
  for (let start = 0; start < clientCount; start += 50) {
    const batch = [];
    for (let index = start; index < Math.min(clientCount, start + 50); index += 1) batch.push(participant(index, boards[index % boards.length]));
    await Promise.all(batch.map((me) => me.joined));
    clients.push(...batch);
  }
  const joinedS = (now() - started) / 1000;
  const counts = {};
  const writing = { on: true };
  const writers = [];
  for (let n = 0; n < writersPerBoard * boards.length; n += 1) {
    writers.push(writer(clientCount + n, boards[n % boards.length], writing, counts));
  }
  await sleep(cutAfter);
  const rejoined = clients.map((me) => new Promise((resolve) => {
    const before = me.joins.length;
    const look = setInterval(() => { if (me.joins.length > before) { clearInterval(look); resolve(); } }, 20);
  }));
  const cut = now();
  for (const me of clients) cutOff(me);
  await Promise.race([Promise.all(rejoined), sleep(150000)]);
  await sleep(writeFor); // and the writers go on a while after the last rejoin
  writing.on = false;
  await Promise.all(writers);
  await sleep(1500); // the last events and the last presence arrive
  const result = {
    clients: clientCount, boards, writers: writers.length, joined_s: joinedS, cut_ms: cut - started,
    started_epoch_ms: performance.timeOrigin + started, cut_epoch_ms: performance.timeOrigin + cut,
    writes: counts,
    people: clients.map((me) => ({ board: me.board, joins: me.joins.map((join) => ({ ...join, sent: join.sent - cut, acked: join.acked - cut })),
                                   events: me.events, presence: me.presence.map(([time, count]) => [time - cut, count]),
                                   last_seq: me.lastSeq(), errors: me.errors, connected: me.socket.connected })),
  };
  for (const me of clients) me.socket.disconnect();
  return result;
}

// Exit once the line is written: a pipe takes 64 KiB at a time, and exit() would cut the rest.
main().then((result) => process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0))).catch((error) => { console.error(error); process.exit(1); });
