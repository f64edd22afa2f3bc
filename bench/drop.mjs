// A crowd that leaves at once (the official Node socket.io-client; one process holds every client).
//
//   node drop.mjs <url[,url...]> <cookies.json> <board> <clients>
//     clients (dealt over the urls in turn) connect and join the board, counted as present; then
//     the process prints {"joined": n, "most_present": the largest presence count an ack showed}
//     and exits at once, which closes every connection together, as a venue's network cut would.
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const [urlList, cookieFile, boardArg, countArg] = process.argv.slice(2);
const urls = urlList.split(",");
const people = JSON.parse(readFileSync(cookieFile, "utf8")); // [{"cookie", "csrf_token"}], one per client
const boardId = Number(boardArg);

function join(index) {
  return new Promise((resolve, reject) => {
    const socket = io(urls[index % urls.length], {
      transports: ["websocket"], reconnection: false,
      extraHeaders: { Cookie: people[index].cookie }, auth: { csrf_token: people[index].csrf_token },
    });
    socket.on("connect", () => socket.emit("join_board", { board_id: boardId }, (ack) => (
      ack.ok ? resolve(ack.presence.count) : reject(new Error(`client ${index}: ${JSON.stringify(ack)}`)))));
    socket.on("connect_error", (error) => reject(new Error(`client ${index}: ${error.message}`)));
  });
}

const counts = [];
const count = Number(countArg);
for (let start = 0; start < count; start += 50) { // in batches, as a room arrives over a minute
  const batch = [];
  for (let index = start; index < Math.min(count, start + 50); index += 1) batch.push(join(index));
  counts.push(...(await Promise.all(batch)));
}
console.log(JSON.stringify({ joined: counts.length, most_present: Math.max(...counts) }));
process.exit(0);
