// "Preparing your report": ask the server how the render goes, and load the PDF when it is done.
const box = document.getElementById("report-progress");

async function poll() {
  if (box.dataset.state === "failed") return;
  try {
    const response = await fetch(box.dataset.status, { cache: "no-store" });
    const { state } = await response.json();
    if (state === "done") {
      box.textContent = box.dataset.done;
      window.location.reload(); // the same address now serves the PDF from the cache
      return;
    }
    if (state === "failed" || state === "unknown") {
      box.textContent = box.dataset.failed;
      return;
    }
  } catch (error) {
    // offline for a moment: try again
  }
  setTimeout(poll, 700);
}
setTimeout(poll, 500);
