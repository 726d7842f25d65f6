/* The /widget page: a compact chat and self-assessment that calls the JSON API of the same server.
 * Context from the embedding page arrives by postMessage ({type: "wangjiao:prefill", ...}) and is accepted only
 * from the parent window and an origin in allowed_origins (given by the server in <meta name="wangjiao-origins">).
 * The accent colour comes from ?accent= (embed.js passes data-color); Escape asks embed.js to close the panel.
 */
(function () {
  "use strict";
  var API = "api/v1/";
  var REASONS = ["答非所问", "法条不对", "看不懂", "其他"];
  var allowed = (document.querySelector('meta[name="wangjiao-origins"]').content || "").split(",")
    .map(function (s) { return s.trim().replace(/\/$/, ""); }).filter(Boolean);
  var history = [];
  var defaultPlaceholder = document.getElementById("question").placeholder;
  var context = {answers: {}};
  var assessment = {id: null, answers: {}, questions: {}, previous: {}, editing: null, origins: {}};

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

  /* ------------------------------------------------------------------ theme and embedding */
  /* One theme variable, --wj-accent; the colours used on it and for text on white are derived for contrast. */
  var theme = window.WangjiaoTheme;
  var accent = new URLSearchParams(window.location.search).get("accent");
  if (accent && theme) theme.apply(document.documentElement, accent);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && window.parent !== window && !event.defaultPrevented) {
      window.parent.postMessage({type: "wangjiao:close"}, "*");  /* no data in it; embed.js checks the sender */
    }
  });

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
    msg.scrollIntoView({block: kind === "user" ? "end" : "start"});  /* an answer is read from its start */
    return msg;
  }
  /* 👍/👎 are stored at once; after a 👎 the reason chips may add why (POST /feedback/{id}/reason). */
  function rate(result, rating, buttons, after) {
    call("POST", "feedback", {question: result.question, rating: rating, answer: result.answer,
                              corpus_version: result.corpus_version})
      .then(function (stored) {
        buttons.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.rating === rating ? "true" : "false"); });
        if (after) after(stored.id);
      }).catch(function () {});
  }
  function reasons(container, id) {
    container.textContent = "";
    container.appendChild(el("span", {text: "哪里不好？（可选）"}));
    REASONS.forEach(function (reason) {
      container.appendChild(el("button", {type: "button", class: "chip", text: reason, onclick: function () {
        call("POST", "feedback/" + id + "/reason", {reason: reason}).then(function () {
          container.textContent = "感谢反馈，我们会据此改进回答。";
        }).catch(function (error) { container.textContent = error.message; });
      }}));
    });
    container.hidden = false;
  }
  function showAnswer(result) {
    var body = el("div");
    body.innerHTML = renderText(result.answer);
    if (result.citations && result.citations.length) {
      body.appendChild(el("div", {class: "chips", role: "group", "aria-label": "引用条文"}, result.citations.map(citeChip)));
    }
    if (result.related_citations && result.related_citations.length) {  /* other provisions worth reading */
      body.appendChild(el("details", {class: "related-cites"}, [
        el("summary", {text: "相关条文（" + result.related_citations.length + "）"}),
        el("div", {class: "chips", role: "group", "aria-label": "相关条文"}, result.related_citations.map(citeChip))]));
    }
    if (result.related && result.related.length) {
      body.appendChild(el("div", {class: "related", role: "group", "aria-label": "相关问题"}, result.related.map(function (q) {
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
    var suggestedId = (result.assessment && result.assessment.id) ||
      (suggested && typeof suggested === "object" ? suggested.id : suggested);
    if (suggestedId) {  /* the answers read from the chat go along, as in the main UI */
      var prefill = (result.assessment && result.assessment.id === suggestedId && result.assessment.answers) ||
        (suggested && suggested.prefill) || result.prefill || {};
      body.appendChild(el("button", {type: "button", class: "suggest", text: "开始相关自查 →", onclick: function () {
        selectTab("assess");
        startAssessment(suggestedId, prefill, "根据对话填写");
      }}));
    }
    function thumb(emoji, text, rating) {  /* the name read out is the visible word; the emoji is decoration */
      return el("button", {type: "button", "aria-pressed": "false", "data-rating": rating},
                [el("span", {"aria-hidden": "true", text: emoji + " "}), document.createTextNode(text)]);
    }
    var up = thumb("👍", "有帮助", "up");
    var down = thumb("👎", "没有帮助", "down");
    var why = el("div", {class: "reasons", role: "group", "aria-label": "没有帮助的原因"});
    why.hidden = true;
    up.addEventListener("click", function () { why.hidden = true; rate(result, "up", [up, down]); });
    down.addEventListener("click", function () { rate(result, "down", [up, down], function (id) { reasons(why, id); }); });
    body.appendChild(el("div", {class: "actions"}, [el("span", {text: "这个回答有帮助吗？"}), up, down]));
    body.appendChild(why);
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

  /* ------------------------------------------------------------------ self-assessment
   * Same rules as the main UI: 修改 shows an answered question again with its answer selected; saving keeps the
   * other answers, and once the result is complete the answers no longer on its path are dropped (kept in
   * `previous`, preselected if asked again). */
  var loaded = null;
  function loadQuestionnaires() {
    loaded = loaded || call("GET", "questionnaires").then(function (rows) {
      var select = $("questionnaire");
      rows.forEach(function (row) { select.appendChild(el("option", {value: row.id, text: row.title})); });
    }, function (error) { loaded = null; throw error; });  /* try again next time */
    return loaded;
  }
  $("questionnaire").addEventListener("change", function () {
    if (this.value) startAssessment(this.value, {});
  });

  /* origin: shown beside prefilled answers ("根据对话填写", "由店铺后台提供") until the user changes them */
  function startAssessment(id, prefill, origin) {
    return loadQuestionnaires().catch(function () {}).then(function () {
      $("questionnaire").value = id;
      return call("GET", "questionnaires/" + encodeURIComponent(id));
    }).then(function (q) {
      var questions = {};
      q.questions.forEach(function (x) { questions[x.id] = x; });
      var answers = {}, origins = {};
      [[context.answers, "由店铺后台提供"], [prefill || {}, origin]].forEach(function (pair) {
        Object.keys(pair[0]).forEach(function (key) {
          var value = pair[0][key];
          if (questions[key] && value !== undefined && value !== null && value !== "") {
            answers[key] = value;
            if (pair[1]) origins[key] = pair[1];
          }
        });
      });
      assessment = {id: id, answers: answers, questions: questions, previous: {}, editing: null, origins: origins};
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
  function prune(result) {
    if (result.status !== "complete") return;
    var onPath = {};
    result.path.forEach(function (s) { onPath[s.question] = true; });
    Object.keys(assessment.answers).forEach(function (key) {
      if (!onPath[key]) {
        assessment.previous[key] = assessment.answers[key];
        delete assessment.answers[key];
      }
    });
  }
  function back(path) {
    var last = path[path.length - 1].question;
    assessment.previous[last] = assessment.answers[last] !== undefined ? assessment.answers[last] : path[path.length - 1].answer;
    delete assessment.answers[last];
    step();
  }
  function edit(key) {
    assessment.editing = key;
    step();
  }
  function render(result) {
    $("questionnaire").value = assessment.id;  /* the selector names what is on screen, never 请选择… */
    var body = $("assess-body");
    body.textContent = "";
    var answered = result.path.length;
    var editing = assessment.editing && result.path.some(function (s) { return s.question === assessment.editing; })
      ? assessment.editing : null;
    assessment.editing = editing;
    if (result.status === "complete" && !editing) {
      body.appendChild(outcomeCard(result));
    } else {
      body.appendChild(questionForm(result, editing));
    }
    if (answered) body.appendChild(answeredList(result, editing));
    body.scrollTop = 0;  /* the question (or the outcome) is at the top; 修改 is clicked further down */
  }
  function questionForm(result, editing) {
    var answered = result.path.length;
    var next = editing ? Object.assign({}, assessment.questions[editing], {
      text: result.path.filter(function (s) { return s.question === editing; })[0].text}) : result.next;
    var position = editing ? result.path.map(function (s) { return s.question; }).indexOf(editing) + 1 : answered + 1;
    var form = el("div");
    form.appendChild(el("p", {class: "step-meta", text: editing ? "修改第 " + position + " 题" :
                                                       "第 " + position + " 题（已回答 " + answered + " 题）"}));
    var bar = el("div", {class: "progress", role: "progressbar", "aria-label": "自查进度",
                         "aria-valuenow": String(answered), "aria-valuemin": "0"}, [el("div")]);
    bar.firstChild.style.width = Math.min(95, Math.round(100 * answered / (answered + 2))) + "%";
    form.appendChild(bar);
    var fieldset = el("fieldset", {}, [el("legend", {text: next.text})]);
    var current = editing ? assessment.answers[editing] : assessment.previous[next.id];
    if (next.type === "number") {
      var money = next.unit === "元";
      var input = el("input", {type: "text", id: "answer-number", autocomplete: "off", maxlength: "60",
                               inputmode: money ? "text" : "decimal",
                               placeholder: money ? "例如：120000、12万、超过10万" : ""});
      if (current !== undefined) input.value = current;
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
        if (current === option.id) radio.checked = true;
        fieldset.appendChild(el("label", {class: "option", for: "opt-" + i}, [radio, document.createTextNode(" " + option.label)]));
      });
    }
    form.appendChild(fieldset);
    form.appendChild(el("details", {class: "why"}, [el("summary", {text: "为什么问这个？"}), el("p", {text: next.why})]));
    var hint = el("p", {class: "hint", role: "alert"});
    var buttons = el("div", {class: "buttons"});
    if (answered && !editing) {
      buttons.appendChild(el("button", {type: "button", class: "secondary", text: "上一步", onclick: function () {
        back(result.path);
      }}));
    }
    buttons.appendChild(el("button", {type: "button", class: "primary", id: "next", text: editing ? "保存修改" : "下一步",
                                      onclick: function () {
      var value;
      if (next.type === "number") value = $("answer-number").value.trim();
      else {
        var checked = form.querySelector('input[name="answer"]:checked');
        value = checked ? checked.value : "";
      }
      if (value === "") { hint.textContent = "请先选择或填写一个回答。"; return; }
      var answers = Object.assign({}, assessment.answers);
      answers[next.id] = value;  /* numbers are sent as typed: the server reads 12万, 120,000 and 超过10万 alike */
      call("POST", "assess/" + encodeURIComponent(assessment.id), {answers: answers}).then(function (r) {
        assessment.answers = answers;
        assessment.editing = null;
        delete assessment.origins[next.id];  /* answered here: no longer "from the chat" */
        prune(r);
        render(r);
      }).catch(function (error) { hint.textContent = error.message; });
    }}));
    if (editing) {
      buttons.appendChild(el("button", {type: "button", class: "secondary", id: "cancel-edit", text: "取消修改",
                                        onclick: function () { assessment.editing = null; step(); }}));
    }
    form.appendChild(buttons);
    form.appendChild(hint);
    return form;
  }
  function answeredList(result, editing) {
    var list = el("ol", {class: "answered"});
    result.path.forEach(function (s, i) {
      var origin = assessment.origins[s.question];
      list.appendChild(el("li", {}, [
        document.createTextNode(s.text + " — "), el("strong", {text: s.answer_label}),
        origin ? el("span", {class: "origin", text: "（" + origin + "）"}) : null,
        document.createTextNode(" "),
        s.question === editing ? el("span", {class: "origin", text: "✏️ 正在修改"}) :
          el("button", {type: "button", class: "link", text: "修改", "aria-label": "修改第" + (i + 1) + "题的回答",
                        onclick: function () { edit(s.question); }})]));
    });
    /* open while it holds answers the user did not type here (from the chat or the host page), so they are seen */
    var details = el("details", {class: "answered-box"}, [el("summary", {text: "已回答的问题（" + result.path.length + "，可修改）"}), list]);
    if (Object.keys(assessment.origins).length || editing) details.open = true;
    return details;
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
        assessment.origins = {};
        assessment.editing = null;
        step();
      }})]));
    return card;
  }
  /* The file is named by the server (Content-Disposition filename*), so UI, widget and API use one scheme. */
  function download(format) {
    var name = null;
    fetch(API + "assess/" + encodeURIComponent(assessment.id) + "/report?format=" + format, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({answers: assessment.answers})
    }).then(function (response) {
      if (!response.ok) return response.json().then(function (err) { throw new Error(String(err.error).split(/\s*\/\s*(?=[A-Z])/)[0]); });
      var header = response.headers.get("content-disposition") || "";
      var encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
      var plain = /filename="([^"]+)"/i.exec(header);
      name = encoded ? decodeURIComponent(encoded[1]) : plain ? plain[1] : "report." + format;
      return response.blob();
    }).then(function (blob) {
      var link = el("a", {href: URL.createObjectURL(blob), download: name});
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
