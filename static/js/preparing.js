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

async function poll() {
  if (box.dataset.state === "failed") return;
  try {
    const response = await fetch(box.dataset.status, { cache: "no-store" });
    const { state } = await response.json();
    if (state === "done") {
      done();
      return;
    }
    if (state === "failed" || state === "unknown") {
      say(box.dataset.failed, "error");
      return;
    }
  } catch (error) {
    // offline for a moment: try again
  }
  setTimeout(poll, 700);
}
setTimeout(poll, 500);
