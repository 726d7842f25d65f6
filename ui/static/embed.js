/* 网络交易合规助手 — embed script for a seller center.
 *
 *   <script src="https://HOST/embed.js" data-title="合规助手" data-color="#c8102e" data-position="right" async></script>
 *
 * Adds a floating button that opens HOST/widget in an iframe. Nothing is loaded from any other host.
 * The host page can hand context to the widget without putting it in a URL:
 *
 *   window.WangjiaoAssistant.prefill({questionnaire: "registration", answers: {annual_turnover: 60000}});
 *
 * The context travels by postMessage to the widget's origin only, after the widget announced it is ready;
 * the widget accepts it only from a parent page whose origin is in the server's allowed_origins.
 */
(function () {
  "use strict";
  if (window.WangjiaoAssistant) return;
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="embed.js"]');
    script = all[all.length - 1];
  }
  var src = new URL(script.getAttribute("src"), window.location.href);
  var origin = src.origin;
  var widgetUrl = src.href.replace(/embed\.js(\?.*)?$/, "widget");
  var title = script.getAttribute("data-title") || "合规助手";
  var color = script.getAttribute("data-color") || "#1d4ed8";
  if (!/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/.test(color)) color = "#1d4ed8";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";

  var style = document.createElement("style");
  style.textContent =
    ".wjz-button{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;border:0;border-radius:999px;" +
    "padding:12px 18px;font:600 15px/1.2 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;" +
    "color:#fff;background:" + color + ";box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".wjz-button:focus-visible{outline:3px solid #111;outline-offset:2px}" +
    ".wjz-panel{position:fixed;bottom:80px;" + side + ":20px;z-index:2147483001;width:400px;height:620px;" +
    "max-height:calc(100vh - 100px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
    "overflow:hidden;display:none;flex-direction:column}" +
    ".wjz-panel.wjz-open{display:flex}" +
    ".wjz-bar{display:flex;align-items:center;justify-content:space-between;padding:8px 12px;color:#fff;background:" +
    color + ";font:600 15px system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif}" +
    ".wjz-close{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:0 4px}" +
    ".wjz-close:focus-visible{outline:2px solid #fff}" +
    ".wjz-frame{border:0;width:100%;flex:1}" +
    "@media (max-width:520px){.wjz-panel{left:0;right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}}";
  document.head.appendChild(style);

  var button = document.createElement("button");
  button.type = "button";
  button.className = "wjz-button";
  button.textContent = title;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "wjz-panel");

  var panel = document.createElement("div");
  panel.className = "wjz-panel";
  panel.id = "wjz-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var bar = document.createElement("div");
  bar.className = "wjz-bar";
  var heading = document.createElement("span");
  heading.textContent = title;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "wjz-close";
  close.setAttribute("aria-label", "关闭");
  close.textContent = "×";
  bar.appendChild(heading);
  bar.appendChild(close);
  var frame = document.createElement("iframe");
  frame.className = "wjz-frame";
  frame.title = title;
  frame.setAttribute("referrerpolicy", "no-referrer");
  panel.appendChild(bar);
  panel.appendChild(frame);

  var ready = false;
  var queue = [];

  function flush() {
    while (ready && queue.length) frame.contentWindow.postMessage(queue.shift(), origin);
  }
  function post(message) {
    queue.push(message);
    flush();
  }
  function open() {
    if (!frame.getAttribute("src")) frame.setAttribute("src", widgetUrl);
    panel.classList.add("wjz-open");
    button.setAttribute("aria-expanded", "true");
  }
  function hide() {
    panel.classList.remove("wjz-open");
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () {
    panel.classList.contains("wjz-open") ? hide() : open();
  });
  close.addEventListener("click", hide);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel.classList.contains("wjz-open")) hide();
  });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === "wangjiao:ready") {
      ready = true;
      flush();
    }
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.WangjiaoAssistant = {
    open: open,
    close: hide,
    /* context: {questionnaire?: id, answers?: {key: value}, question?: text to put in the chat box} */
    prefill: function (context) {
      context = context || {};
      post({type: "wangjiao:prefill", questionnaire: context.questionnaire || null,
            answers: context.answers || {}, question: context.question || null});
      open();
    }
  };
})();
