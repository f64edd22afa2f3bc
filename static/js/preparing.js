// "Preparing your report": ask the server how the render goes; when the PDF is ready, start its
// download and stay on this page, which then says so and offers the way back and a second download.
const box = document.getElementById("report-progress");
const heading = document.getElementById("report-heading");
const again = document.getElementById("report-again");

function say(text, className) {
  const line = document.createElement("p");
  line.textContent = text;
  if (className) line.className = className;
  box.replaceChildren(line);
}

function done() {
  // The same address now serves the PDF from the cache, as an attachment: following the link
  // downloads it and leaves this page where it is.
  again.hidden = false;
  again.click();
  heading.textContent = heading.dataset.done;
  document.title = heading.dataset.done;
  say(box.dataset.done);
  heading.focus();
}

// Many reports asked for at once: how many are ahead of this one, as the queue moves.
function showQueue(waiting) {
  const line = document.getElementById("report-queue");
  if (!line) return;
  box.dataset.waiting = waiting || "";
  if (line.textContent === (waiting || "")) return;
  line.textContent = waiting || "";
  line.hidden = !waiting;
}

async function poll() {
  if (box.dataset.state === "failed") return;
  try {
    const response = await fetch(box.dataset.status, { cache: "no-store" });
    const { state, waiting } = await response.json();
    if (state === "done") {
      done();
      return;
    }
    if (state === "failed" || state === "unknown") {
      say(box.dataset.failed, "error");
      return;
    }
    showQueue(waiting);
  } catch (error) {
    // offline for a moment: try again
  }
  // Soon while this report is being made (it takes a second or two); seldom while it waits in a
  // queue, so that 30 waiting pages do not keep the server busy answering them.
  setTimeout(poll, box.dataset.waiting ? 1500 : 300);
}
setTimeout(poll, 300);
