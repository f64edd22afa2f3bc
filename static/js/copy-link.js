// "Copy the link" beside each update link: puts the link's address on the clipboard and says so in
// the page's status region (where the page's own messages are). Without JavaScript or a clipboard
// the buttons stay hidden and the address is selected and copied by hand, as before.
const status = document.querySelector("main .flashes");

function say(text) {
  const line = document.createElement("p");
  line.className = "flash";
  line.textContent = text;
  status.replaceChildren(line);
}

if (navigator.clipboard && status) {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        say(button.dataset.copied);
      } catch {
        say(button.dataset.failed);
      }
    });
  }
}
