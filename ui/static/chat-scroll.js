(messages) => {
  /* After a chat turn (ui/chat_tab.py runs this with the chatbot's messages): scroll so the *start* of the new
   * answer is at the top of the conversation, and the conversation's top edge is on screen. Gradio's own
   * autoscroll (off) would show the end of a long answer: the disclaimer and citation chips. */
  var expected = (messages || []).filter(function (m) { return m.role === "assistant"; }).length;
  if (!expected) return;
  var deadline = Date.now() + 4000;
  function scrollable(el) {
    for (; el && el !== document.body; el = el.parentElement) {
      var style = getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight) return el;
    }
    return null;
  }
  function step() {
    var rows = document.querySelectorAll("#chat .message-row.bot-row");
    if (rows.length < expected) {
      if (Date.now() < deadline) requestAnimationFrame(step);
      return;
    }
    var answer = rows[rows.length - 1];
    var question = answer.previousElementSibling;  /* show the question too when it is short */
    var target = question && question.classList.contains("user-row") &&
      question.getBoundingClientRect().height < 80 ? question : answer;
    var box = scrollable(answer);
    if (box) box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
    var top = (box || target).getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.6) window.scrollBy(0, top - 8);
  }
  requestAnimationFrame(step);
  return [];
}
