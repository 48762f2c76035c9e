() => {
  // Screen readers: Gradio names each chat message "bot's message: <its raw Markdown>"; name it by who wrote it
  // instead (its text is read as the content). Gradio sets the name again as a reply streams, so this watches.
  if (window.upliftedPage) return;
  window.upliftedPage = true;
  const NAMES = { user: "You said", bot: "The assistant said" };
  const fix = () => {
    for (const el of document.querySelectorAll('#chat [data-testid="user"], #chat [data-testid="bot"]')) {
      const name = NAMES[el.dataset.testid];
      if (el.getAttribute("aria-label") !== name) el.setAttribute("aria-label", name);
      if (el.getAttribute("role") !== "group") el.setAttribute("role", "group");
    }
    const log = document.querySelector('#chat [role="log"]');
    if (log && log.getAttribute("aria-label") !== "Conversation") log.setAttribute("aria-label", "Conversation");
  };
  new MutationObserver(fix).observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"],
  });
  fix();
}
