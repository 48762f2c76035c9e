() => {
  // A new reply scrolls the chat to the patient's question and the start of the reply, never to the bottom
  // of a long answer (the Chatbot's own autoscroll is off): once when the reply appears (the typing
  // indicator) and once when its first text replaces the indicator. Streaming text then grows below it.
  if (window.upliftedChat) return;
  const state = { replies: 0, waiting: false };
  window.upliftedChat = state;
  const scroller = (node) => {
    for (let n = node.parentElement; n && n !== document.body; n = n.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(n).overflowY) && n.scrollHeight > n.clientHeight + 1) return n;
    }
    return null;
  };
  const show = (reply) => {
    const box = scroller(reply);
    if (!box) return;
    let question = reply.previousElementSibling;
    while (question && !question.classList.contains('message-row')) question = question.previousElementSibling;
    const offset = (el) => el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    let top = offset(reply);
    if (question && question.classList.contains('user-row') && top - offset(question) < box.clientHeight / 2) {
      top = offset(question);
    }
    box.scrollTop = Math.max(0, top - 8);
  };
  const follow = () => {
    const rows = document.querySelectorAll('#chat .message-row.bot-row');
    const reply = rows[rows.length - 1];
    const grew = rows.length > state.replies;
    state.replies = rows.length;
    if (!reply) return;
    const typing = reply.querySelector('.typing-indicator') !== null;
    if (grew || (state.waiting && !typing)) show(reply);
    state.waiting = typing;
  };
  new MutationObserver(follow).observe(document.body, { childList: true, subtree: true, characterData: true });
}
