() => {
  /* Runs once when the Gradio UI has loaded (ui/app.py passes it as the load event's js) and patches, as they
   * appear, what Gradio 6 offers no setting for:
   * - English it hard-codes past its i18n tables (ui/i18n.py): toast titles, "bot's message: …" labels,
   *   "chatbot conversation", "More tabs", "Copy conversation", the status line ("processing |", "queue: 1/2 |");
   *   and <html lang>, which it sets to the browser's language, is kept zh-CN;
   * - ARIA: the chat's example questions are buttons inside role="list" (axe: aria-required-children, critical),
   *   made a labelled group. */
  if (window.__wangjiaoPatched) return;
  window.__wangjiaoPatched = true;
  var TITLES = {Error: "出错了", Warning: "请注意", Info: "提示", Success: "完成"};
  var LABELS = {
    "chatbot conversation": "咨询对话", "More tabs": "更多标签页", "Copy conversation": "复制整个对话",
    "Copied conversation": "已复制整个对话", "Close": "关闭", "Dismiss": "关闭", "Clear": "清除",
    "Share": "分享", "Download": "下载", "View full screen": "全屏查看", "Close full screen": "退出全屏",
    "Like": "有帮助", "Dislike": "没有帮助", "Copy message": "复制这条消息", "Copied message": "已复制"
  };
  var ROLE = /^(user|bot|assistant)'s message: /;
  /* the progress line of Gradio's status tracker ("processing | 0.4s", "queue: 2/5 | 1.2s") */
  var STATUS = [[/^processing \|/, "处理中 |"], [/^queue: (\d+)\/(\d*) \|/, "排队中：$1/$2 |"]];
  function status(node) {
    var value = node.nodeValue;
    STATUS.forEach(function (rule) {
      if (rule[0].test(value.trim())) node.nodeValue = value.trim().replace(rule[0], rule[1]);
    });
  }
  function statusText(root) {
    var scope = root.closest && root.closest(".progress-text, .meta-text, .meta-text-center") ? [root] :
      Array.prototype.slice.call(root.querySelectorAll(".progress-text, .meta-text, .meta-text-center"));
    scope.forEach(function (el) {
      var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) status(walker.currentNode);
    });
  }
  function label(el, attr) {
    var value = el.getAttribute(attr);
    if (!value) return;
    if (Object.prototype.hasOwnProperty.call(LABELS, value)) el.setAttribute(attr, LABELS[value]);
    else if (ROLE.test(value)) {
      el.setAttribute(attr, value.replace(ROLE, function (_, who) { return who === "user" ? "提问：" : "回答："; }));
    }
  }
  function title(el) {
    var text = el.firstChild;  /* <span class="toast-title">Error <span>(count)</span></span> */
    if (text && text.nodeType === 3) {
      var word = text.nodeValue.trim();
      if (TITLES[word]) text.nodeValue = TITLES[word] + " ";
    }
  }
  function fix(root) {
    if (!root || root.nodeType !== 1) return;
    [root].concat(Array.prototype.slice.call(root.querySelectorAll("[aria-label],[title]"))).forEach(function (el) {
      label(el, "aria-label");
      label(el, "title");
    });
    if (root.matches(".toast-title")) title(root);
    statusText(root);
    [root].concat(Array.prototype.slice.call(root.querySelectorAll(".examples[role=list]"))).forEach(function (el) {
      if (el.matches(".examples[role=list]")) {
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", "示例问题");
      }
    });
    Array.prototype.forEach.call(root.querySelectorAll(".toast-title"), title);
  }
  document.documentElement.lang = "zh-CN";
  fix(document.body);
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "attributes") label(record.target, record.attributeName);
      else if (record.type === "characterData") {
        var parent = record.target.parentElement;
        if (parent && parent.closest(".toast-title")) title(parent.closest(".toast-title"));
        if (parent && parent.closest(".progress-text, .meta-text, .meta-text-center")) status(record.target);
      }
      else record.addedNodes.forEach(function (node) { fix(node.nodeType === 1 ? node : node.parentElement); });
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ["aria-label", "title"]});
  new MutationObserver(function () {
    if (document.documentElement.lang !== "zh-CN") document.documentElement.lang = "zh-CN";
  }).observe(document.documentElement, {attributes: true, attributeFilter: ["lang"]});
}
