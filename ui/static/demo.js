/* Demo seller center: hands the shop's turnover to the widget by postMessage (see docs/widget.md). */
document.getElementById("check-registration").addEventListener("click", function () {
  var turnover = Number(document.getElementById("turnover").dataset.value);
  function go() {
    window.WangjiaoAssistant.prefill({questionnaire: "registration", answers: {annual_turnover: turnover}});
  }
  if (window.WangjiaoAssistant) go(); else window.addEventListener("load", go);
});
