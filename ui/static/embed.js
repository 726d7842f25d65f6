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
 *
 * data-color themes the button, the header and (passed to the widget as ?accent=) the whole widget; text colours
 * are chosen for contrast. A page whose origin is not allowed gets a short notice in the panel instead of the
 * browser's "refused to connect" box, and the console names the setting to change.
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
  var DEFAULT_COLOR = "#1d4ed8";
  var color = script.getAttribute("data-color") || DEFAULT_COLOR;
  if (!/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/.test(color) ||
      (window.CSS && !CSS.supports("color", color))) color = DEFAULT_COLOR;
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";
  if (color !== DEFAULT_COLOR) widgetUrl += "?accent=" + encodeURIComponent(color);
  var colors = contrasting(color);

  /* White or near-black text on the colour, and the colour darkened (or lightened) until that text reads at 4.5:1.
   * The widget derives the rest of its theme from the same colour (widget/static/theme.js). */
  function contrasting(value) {
    var probe = document.createElement("span");
    probe.style.color = value;
    (document.body || document.documentElement).appendChild(probe);
    var parts = (getComputedStyle(probe).color.match(/[\d.]+/g) || [29, 78, 216]).slice(0, 3).map(Number);
    probe.remove();
    function lum(c) {
      var l = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
      return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    }
    function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
    var white = [255, 255, 255], dark = [17, 24, 39];
    var text = ratio(white, parts) >= ratio(dark, parts) ? white : dark;
    var target = text === white ? [0, 0, 0] : white;
    var fill = parts;
    for (var t = 0; ratio(text, fill) < 4.5 && t <= 1; t += 0.05) {
      fill = parts.map(function (v, i) { return Math.round(v * (1 - t) + target[i] * t); });
    }
    return {fill: "rgb(" + fill.join(",") + ")", text: "rgb(" + text.join(",") + ")"};
  }

  var style = document.createElement("style");
  style.textContent =
    ".wjz-button{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;border:0;border-radius:999px;" +
    "padding:12px 18px;font:600 15px/1.2 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;" +
    "color:" + colors.text + ";background:" + colors.fill + ";box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".wjz-button:focus-visible{outline:3px solid #111;outline-offset:2px}" +
    ".wjz-panel{position:fixed;bottom:80px;" + side + ":20px;z-index:2147483001;width:400px;height:620px;" +
    "max-height:calc(100vh - 100px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
    "overflow:hidden;display:none;flex-direction:column}" +
    ".wjz-panel.wjz-open{display:flex}" +
    ".wjz-bar{display:flex;align-items:center;justify-content:space-between;padding:8px 12px;color:" + colors.text +
    ";background:" + colors.fill + ";font:600 15px system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif}" +
    ".wjz-close{background:transparent;border:0;color:inherit;font-size:22px;line-height:1;cursor:pointer;padding:0 4px}" +
    ".wjz-close:focus-visible{outline:2px solid currentColor}" +
    ".wjz-notice{padding:16px;font:14px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;" +
    "color:#111827;background:#fff;overflow:auto}.wjz-notice strong{color:#991b1b}" +
    ".wjz-notice code{background:#f3f4f6;padding:0 4px;border-radius:4px;word-break:break-all}" +
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
  var checked = null;

  function flush() {
    while (ready && queue.length) frame.contentWindow.postMessage(queue.shift(), origin);
  }
  function post(message) {
    queue.push(message);
    flush();
  }
  function open() {
    if (!frame.getAttribute("src")) {
      frame.setAttribute("src", widgetUrl);
      checked = checked || check().then(notice);
    }
    panel.classList.add("wjz-open");
    button.setAttribute("aria-expanded", "true");
  }
  /* Why the widget could not load, if it could not: this page's origin is not in allowed_origins (the API refuses
   * CORS and the widget refuses to be framed), or the server is unreachable. Same-origin pages are always allowed. */
  function check() {
    if (window.location.origin === origin || !window.fetch) return Promise.resolve(null);
    return fetch(origin + "/api/v1/questionnaires", {mode: "cors", credentials: "omit"}).then(function () {
      return null;
    }, function () {
      return fetch(origin + "/healthz", {mode: "no-cors", credentials: "omit"}).then(function () {
        return "origin";
      }, function () { return "unreachable"; });
    });
  }
  function notice(problem) {
    if (!problem || ready) return;
    var here = window.location.origin;
    var box = document.createElement("div");
    box.className = "wjz-notice";
    box.setAttribute("role", "alert");
    if (problem === "origin") {
      box.innerHTML = "<p><strong>合规助手无法在本页面显示。</strong></p><p>本站点 <code></code> 不在合规助手服务器允许的来源中。" +
        "请管理员在助手服务器的 <code>allowed_origins</code> 设置（或环境变量 <code>ASSISTANT_ALLOWED_ORIGINS</code>）中" +
        "加入本站点，然后重启服务。</p>";
      box.querySelector("code").textContent = here;
      console.error("[合规助手] " + here + " is not in allowed_origins of " + origin + ", so the widget cannot be framed " +
                    "here. Add it to the allowed_origins setting (assistant.yaml, or ASSISTANT_ALLOWED_ORIGINS) of the " +
                    "assistant server and restart it. See " + origin + "/widget/demo and docs/widget.md.");
    } else {
      box.innerHTML = "<p><strong>暂时无法连接合规助手。</strong></p><p>请检查网络后稍后再试。</p>";
      console.error("[合规助手] " + origin + " did not answer; the widget cannot load.");
    }
    frame.remove();
    panel.appendChild(box);
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
    } else if (event.data && event.data.type === "wangjiao:close" && panel.classList.contains("wjz-open")) {
      hide();  /* Escape pressed inside the widget */
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
