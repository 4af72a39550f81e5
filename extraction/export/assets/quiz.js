/* shifu quiz page: grades the answers in the browser and reports the score to the LMS. */
(function () {
  "use strict";

  function normalise(text) { return String(text).trim().replace(/\s+/g, " ").toLowerCase(); }

  function chosen(fieldset) {
    var picked = [];
    var inputs = fieldset.querySelectorAll("input[type=radio], input[type=checkbox]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { picked.push(Number(inputs[i].value)); }
    }
    return picked;
  }

  // Marks one question between 0 and 1; multiple choice gives partial credit, wrong picks cost.
  function mark(fieldset) {
    var type = fieldset.getAttribute("data-type");
    var key = JSON.parse(fieldset.getAttribute("data-key"));
    if (type === "short_answer") {
      var typed = normalise(fieldset.querySelector("input[type=text]").value);
      return key.some(function (answer) { return normalise(answer) === typed; }) ? 1 : 0;
    }
    var picked = chosen(fieldset);
    if (type !== "multiple_choice") {
      return picked.length === 1 && key.indexOf(picked[0]) >= 0 ? 1 : 0;
    }
    var options = fieldset.querySelectorAll("input[type=checkbox]").length;
    var wrongOptions = Math.max(options - key.length, 1);
    var score = 0;
    picked.forEach(function (i) { score += key.indexOf(i) >= 0 ? 1 / key.length : -1 / wrongOptions; });
    return Math.max(0, Math.min(1, score));
  }

  function passMark(form) {
    var fromLms = parseFloat(window.shifuScorm.get("cmi.student_data.mastery_score"));
    return isNaN(fromLms) ? Number(form.getAttribute("data-pass")) : fromLms;
  }

  function submit(event) {
    event.preventDefault();
    var form = event.target;
    var questions = form.querySelectorAll("fieldset.question");
    var total = 0;
    for (var i = 0; i < questions.length; i++) {
      var got = mark(questions[i]);
      total += got;
      questions[i].className = "question " + (got === 1 ? "right" : "wrong");
      var explanation = questions[i].querySelector(".explanation");
      if (explanation) { explanation.hidden = false; }
    }
    var raw = questions.length ? Math.round(100 * total / questions.length) : 0;
    var passed = raw >= passMark(form);
    var scorm = window.shifuScorm;
    scorm.set("cmi.core.score.min", "0");
    scorm.set("cmi.core.score.max", "100");
    scorm.set("cmi.core.score.raw", String(raw));
    scorm.set("cmi.core.lesson_status", passed ? "passed" : "failed");
    scorm.commit();
    scorm.finish();
    var result = document.getElementById("result");
    result.textContent = result.getAttribute(passed ? "data-passed" : "data-failed").replace("{score}", raw);
    result.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
  }

  window.addEventListener("DOMContentLoaded", function () {
    document.getElementById("quiz").addEventListener("submit", submit);
  });
})();
