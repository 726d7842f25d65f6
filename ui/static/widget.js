/* The /widget page: a compact chat and self-assessment that calls the JSON API of the same server.
 * Context from the embedding page arrives by postMessage ({type: "wangjiao:prefill", ...}) and is accepted only
 * from the parent window and an origin in allowed_origins (given by the server in <meta name="wangjiao-origins">).
 */
(function () {
  "use strict";
  var API = "api/v1/";
  var allowed = (document.querySelector('meta[name="wangjiao-origins"]').content || "").split(",")
    .map(function (s) { return s.trim().replace(/\/$/, ""); }).filter(Boolean);
  var history = [];
  var defaultPlaceholder = document.getElementById("question").placeholder;
  var context = {answers: {}};
  var assessment = {id: null, answers: {}, keys: [], previous: {}};

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else if (key.indexOf("on") === 0) node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  /* The answers are plain text with **bold** and "> " quote lines; nothing else is interpreted. */
  function renderText(text) {
    var out = [];
    String(text).split("\n").forEach(function (line) {
      var html = escapeHtml(line).replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
      if (/^&gt; /.test(html)) out.push("<blockquote>" + html.slice(5) + "</blockquote>");
      else if (html.trim()) out.push("<p>" + html + "</p>");
    });
    return out.join("");
  }
  /* Same rule as the server: exact origin, or any port for `scheme://host:*` and loopback entries without a port. */
  function originAllowed(origin) {
    if (origin === window.location.origin) return true;
    return allowed.some(function (entry) {
      if (origin === entry) return true;
      var base = /:\*$/.test(entry) ? entry.slice(0, -2)
        : (/^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])$/.test(entry) ? entry : null);
      return base !== null && origin.indexOf(base + ":") === 0 && /^\d+$/.test(origin.slice(base.length + 1));
    });
  }

  function call(method, path, body) {
    return fetch(API + path, {
      method: method, headers: body ? {"Content-Type": "application/json"} : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (!response.ok) {
        return (type.indexOf("json") >= 0 ? response.json() : Promise.resolve({error: response.statusText}))
          .then(function (err) {  /* people see the Chinese half of "中文。/ English." */
            throw new Error(String(err.error || ("HTTP " + response.status)).split(/\s*\/\s*(?=[A-Z])/)[0]);
          });
      }
      return type.indexOf("json") >= 0 ? response.json() : response.blob();
    });
  }

  /* ------------------------------------------------------------------ tabs */
  function selectTab(name) {
    ["chat", "assess"].forEach(function (tab) {
      var on = tab === name;
      $("tab-" + tab).setAttribute("aria-selected", on ? "true" : "false");
      $("tab-" + tab).tabIndex = on ? 0 : -1;
      $("panel-" + tab).hidden = !on;
    });
  }
  $("tab-chat").addEventListener("click", function () { selectTab("chat"); });
  $("tab-assess").addEventListener("click", function () { selectTab("assess"); });
  document.querySelector(".tabs").addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var next = $("tab-chat").getAttribute("aria-selected") === "true" ? "assess" : "chat";
      selectTab(next);
      $("tab-" + next).focus();
    }
  });

  /* ------------------------------------------------------------------ chat */
  function citeChip(citation) {
    var short = citation.label.replace(/^《网络交易监督管理办法》/, "").replace(/^《中华人民共和国(.*?)》/, "$1");
    var body = el("div", {class: "text"});
    var chip = el("details", {class: "cite"}, [el("summary", {text: short}), body]);
    function fill(text) { body.innerHTML = "<strong>" + escapeHtml(citation.label) + "</strong>" + renderText(text); }
    if (citation.text) fill(citation.text);
    else chip.addEventListener("toggle", function () {
      if (!chip.open || body.textContent) return;
      call("GET", "articles/" + citation.source + "/" + citation.article).then(function (article) {
        var p = citation.paragraph ? article.paragraphs[citation.paragraph - 1] : null;
        fill(p ? [p.text].concat(p.items).join("\n") : article.text);
      });
    });
    return chip;
  }
  function addMessage(kind, node) {
    var empty = $("empty");
    if (empty) empty.remove();
    var msg = el("div", {class: "msg " + kind}, [node]);
    $("messages").appendChild(msg);
    msg.scrollIntoView({block: "end"});
    return msg;
  }
  function rate(result, rating, buttons) {
    call("POST", "feedback", {question: result.question, rating: rating, answer: result.answer,
                              corpus_version: result.corpus_version})
      .then(function () {
        buttons.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.rating === rating ? "true" : "false"); });
      }).catch(function () {});
  }
  function showAnswer(result) {
    var body = el("div");
    body.innerHTML = renderText(result.answer);
    if (result.citations && result.citations.length) {
      body.appendChild(el("div", {class: "chips", "aria-label": "引用条文"}, result.citations.map(citeChip)));
    }
    if (result.related && result.related.length) {
      body.appendChild(el("div", {class: "related", "aria-label": "相关问题"}, result.related.map(function (q) {
        return el("button", {type: "button", class: "chip", text: q, onclick: function () { ask(q); }});
      })));
    }
    var asked = result.assessment && result.assessment.decides ? result.assessment.next : null;
    if (asked && asked.options.length) {  /* the chat is asking a question of the questionnaire: quick replies */
      body.appendChild(el("div", {class: "quick", role: "group", "aria-label": "快捷回答"}, asked.options.map(function (o) {
        return el("button", {type: "button", class: "chip", text: o.label, onclick: function () { ask(o.label); }});
      })));
    }
    $("question").placeholder = asked && asked.type === "number" ? "请输入金额，例如：一年卖12万、8万、超过10万" : defaultPlaceholder;
    var suggested = result.suggested_assessment;
    var suggestedId = suggested && typeof suggested === "object" ? suggested.id : suggested;
    if (suggestedId) {
      var prefill = (suggested && suggested.prefill) || result.prefill || {};
      body.appendChild(el("button", {type: "button", class: "suggest", text: "开始相关自查 →", onclick: function () {
        selectTab("assess");
        startAssessment(suggestedId, prefill);
      }}));
    }
    var up = el("button", {type: "button", text: "👍 有用", "aria-label": "有帮助", "aria-pressed": "false", "data-rating": "up"});
    var down = el("button", {type: "button", text: "👎 没用", "aria-label": "没有帮助", "aria-pressed": "false",
                             "data-rating": "down"});
    up.addEventListener("click", function () { rate(result, "up", [up, down]); });
    down.addEventListener("click", function () { rate(result, "down", [up, down]); });
    body.appendChild(el("div", {class: "actions"}, [el("span", {text: "这个回答有帮助吗？"}), up, down]));
    addMessage("bot", body);
  }
  function ask(question) {
    question = (question || "").trim();
    if (!question) return;
    addMessage("user", el("span", {text: question}));
    var pending = addMessage("bot", el("span", {text: "正在查找相关条文…"}));
    $("send").disabled = true;
    call("POST", "ask", {question: question, history: history.slice(-5)}).then(function (result) {
      pending.remove();
      history.push(question);
      showAnswer(result);
    }).catch(function (error) {
      pending.remove();
      addMessage("error", el("span", {text: error.message}));
    }).then(function () { $("send").disabled = false; });
  }
  $("ask-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var question = $("question").value;
    $("question").value = "";
    ask(question);
  });
  $("question").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("#examples .chip"), function (button) {
    button.addEventListener("click", function () { ask(button.textContent); });
  });

  /* ------------------------------------------------------------------ self-assessment */
  function loadQuestionnaires() {
    return call("GET", "questionnaires").then(function (rows) {
      var select = $("questionnaire");
      rows.forEach(function (row) { select.appendChild(el("option", {value: row.id, text: row.title})); });
    });
  }
  $("questionnaire").addEventListener("change", function () {
    if (this.value) startAssessment(this.value, {});
  });

  function startAssessment(id, prefill) {
    $("questionnaire").value = id;
    return call("GET", "questionnaires/" + encodeURIComponent(id)).then(function (q) {
      var keys = q.questions.map(function (x) { return x.id; });
      var answers = {};
      var merged = Object.assign({}, context.answers, prefill || {});
      keys.forEach(function (key) { if (merged[key] !== undefined && merged[key] !== null) answers[key] = merged[key]; });
      assessment = {id: id, answers: answers, keys: keys, previous: {}};
      return step();
    }).catch(showAssessError);
  }
  function showAssessError(error) {
    var body = $("assess-body");
    body.textContent = "";
    body.appendChild(el("p", {class: "hint", role: "alert", text: error.message}));
  }
  function step() {
    return call("POST", "assess/" + encodeURIComponent(assessment.id), {answers: assessment.answers})
      .then(render).catch(showAssessError);
  }
  function rewind(path, index) {
    path.slice(index).forEach(function (s) {
      assessment.previous[s.question] = s.answer;
      delete assessment.answers[s.question];
    });
    step();
  }
  function render(result) {
    var body = $("assess-body");
    body.textContent = "";
    var answered = result.path.length;
    if (result.status === "complete") {
      body.appendChild(outcomeCard(result));
    } else {
      var next = result.next;
      var total = answered + 1;
      body.appendChild(el("p", {class: "step-meta", text: "第 " + total + " 题（已回答 " + answered + " 题）"}));
      var bar = el("div", {class: "progress", role: "progressbar", "aria-label": "自查进度",
                           "aria-valuenow": String(answered), "aria-valuemin": "0"}, [el("div")]);
      bar.firstChild.style.width = Math.min(95, Math.round(100 * answered / (answered + 2))) + "%";
      body.appendChild(bar);
      var fieldset = el("fieldset", {}, [el("legend", {text: next.text})]);
      var previous = assessment.previous[next.id];
      if (next.type === "number") {
        var money = next.unit === "元";
        var input = el("input", {type: "text", id: "answer-number", autocomplete: "off", maxlength: "60",
                                 inputmode: money ? "text" : "decimal",
                                 placeholder: money ? "例如：120000、12万、超过10万" : ""});
        if (previous !== undefined) input.value = previous;
        var reading = el("p", {class: "reading", id: "answer-reading", "aria-live": "polite"});
        if (next.unclear) reading.textContent = next.unclear;
        fieldset.appendChild(el("label", {for: "answer-number", text: money ? "请输入金额（元），可以写 120000、12万、超过10万"
                                          : "请输入数字" + (next.unit ? "（单位：" + next.unit + "）" : "")}));
        fieldset.appendChild(input);
        fieldset.appendChild(reading);
        var timer = null;
        input.addEventListener("input", function () {  /* how the amount is read, before 下一步 decides */
          clearTimeout(timer);
          var text = input.value.trim();
          if (!text) { reading.textContent = ""; return; }
          timer = setTimeout(function () {
            call("GET", "assess/" + encodeURIComponent(assessment.id) + "/read?question=" + encodeURIComponent(next.id) +
                 "&value=" + encodeURIComponent(text)).then(function (r) {
              if (input.value.trim() === text) reading.textContent = (r.reading || r.label) + (r.unclear ? " " + r.unclear : "");
            }).catch(function (error) { if (input.value.trim() === text) reading.textContent = error.message; });
          }, 350);
        });
        input.addEventListener("keydown", function (event) {
          if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); $("next").click(); }
        });
      } else {
        next.options.forEach(function (option, i) {
          var radio = el("input", {type: "radio", name: "answer", value: option.id, id: "opt-" + i});
          if (previous === option.id) radio.checked = true;
          fieldset.appendChild(el("label", {class: "option", for: "opt-" + i}, [radio, document.createTextNode(" " + option.label)]));
        });
      }
      body.appendChild(fieldset);
      body.appendChild(el("details", {class: "why"}, [el("summary", {text: "为什么问这个？"}), el("p", {text: next.why})]));
      var hint = el("p", {class: "hint", role: "alert"});
      var buttons = el("div", {class: "buttons"});
      if (answered) buttons.appendChild(el("button", {type: "button", class: "secondary", text: "上一步",
                                                       onclick: function () { rewind(result.path, answered - 1); }}));
      buttons.appendChild(el("button", {type: "button", class: "primary", id: "next", text: "下一步", onclick: function () {
        var value;
        if (next.type === "number") value = $("answer-number").value.trim();
        else {
          var checked = body.querySelector('input[name="answer"]:checked');
          value = checked ? checked.value : "";
        }
        if (value === "") { hint.textContent = "请先选择或填写一个回答。"; return; }
        var answers = Object.assign({}, assessment.answers);
        answers[next.id] = value;  /* numbers are sent as typed: the server reads 12万, 120,000 and 超过10万 alike */
        call("POST", "assess/" + encodeURIComponent(assessment.id), {answers: answers}).then(function (r) {
          assessment.answers = answers;
          render(r);
        }).catch(function (error) { hint.textContent = error.message; });
      }}));
      body.appendChild(buttons);
      body.appendChild(hint);
    }
    if (answered) {
      var list = el("ol", {class: "step-meta"});
      result.path.forEach(function (s, i) {
        list.appendChild(el("li", {}, [document.createTextNode(s.text + " — " + s.answer_label + " "),
          el("button", {type: "button", class: "secondary", text: "修改", "aria-label": "修改第" + (i + 1) + "题的回答",
                        onclick: function () { rewind(result.path, i); }})]));
      });
      body.appendChild(el("details", {}, [el("summary", {text: "已回答的问题（可修改）"}), list]));
    }
  }
  function outcomeCard(result) {
    var o = result.outcome;
    var card = el("div", {class: "card", role: "region", "aria-label": "自查结论"}, [
      el("h3", {text: "【结论】" + o.title}), el("p", {text: o.explanation})]);
    if (o.self_declaration) {
      card.appendChild(el("div", {class: "declaration"}, [el("p", {text: "应公示的自我声明："}),
                                                          el("strong", {text: o.self_declaration})]));
    }
    if (o.obligations.length) {
      card.appendChild(el("p", {text: "需要做到："}));
      card.appendChild(el("ul", {class: "checklist"}, o.obligations.map(function (item) {
        return el("li", {}, [el("label", {}, [el("input", {type: "checkbox"}), document.createTextNode(" " + item)])]);
      })));
    }
    card.appendChild(el("p", {text: "依据（点击展开原文）："}));
    card.appendChild(el("div", {class: "chips"}, o.citations.map(citeChip)));
    card.appendChild(el("p", {class: "step-meta", text: "法规版本 " + result.law_version + " · 核验码 " +
                                                         (result.verification_id || "")}));
    card.appendChild(el("div", {class: "buttons"}, [
      el("button", {type: "button", class: "primary", id: "download-report", text: "下载报告", onclick: function () {
        download("html");
      }}),
      el("button", {type: "button", class: "secondary", text: "重新开始", onclick: function () {
        assessment.answers = {};
        assessment.previous = {};
        step();
      }})]));
    return card;
  }
  function download(format) {
    call("POST", "assess/" + encodeURIComponent(assessment.id) + "/report?format=" + format,
         {answers: assessment.answers}).then(function (blob) {
      var link = el("a", {href: URL.createObjectURL(blob), download: "自查报告-" + assessment.id + "." + format});
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }).catch(showAssessError);
  }

  /* ------------------------------------------------------------------ context from the host page */
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !originAllowed(event.origin)) return;
    var data = event.data;
    if (!data || data.type !== "wangjiao:prefill") return;
    if (data.answers && typeof data.answers === "object") context.answers = Object.assign({}, data.answers);
    if (typeof data.question === "string") $("question").value = data.question.slice(0, 2000);
    if (data.questionnaire) {
      selectTab("assess");
      startAssessment(String(data.questionnaire), {});
    }
  });

  loadQuestionnaires().catch(function () {});
  fetch("healthz").then(function (r) { return r.json(); }).then(function (h) {
    $("footer").textContent = "仅供参考，不构成法律意见。法规版本 " + h.law_version + " · 语料 " + h.corpus_version;
  }).catch(function () {});
  if (window.parent !== window) window.parent.postMessage({type: "wangjiao:ready"}, "*");
})();
