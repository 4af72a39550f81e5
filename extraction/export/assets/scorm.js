/* shifu SCORM 1.2 runtime: finds the LMS's API object and reports to it.
   The API lives on a parent frame or on the window that opened the course. */
(function () {
  "use strict";

  function searchUp(win) {
    for (var hops = 0; win && hops < 12; hops++) {
      try {
        if (win.API) { return win.API; }
      } catch (e) { /* a frame from another origin: keep climbing */ }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  function findAPI() {
    var api = searchUp(window);
    if (!api && window.opener) { api = searchUp(window.opener); }
    if (!api && window.top && window.top.opener) { api = searchUp(window.top.opener); }
    return api;
  }

  var api = null;
  var running = false;

  var scorm = {
    start: function () {
      api = findAPI();
      running = !!api && String(api.LMSInitialize("")) === "true";
      return running;
    },
    get: function (name) { return running ? String(api.LMSGetValue(name)) : ""; },
    set: function (name, value) { return running && String(api.LMSSetValue(name, String(value))) === "true"; },
    commit: function () { return running && String(api.LMSCommit("")) === "true"; },
    finish: function () {
      if (!running) { return false; }
      running = false;
      return String(api.LMSFinish("")) === "true";
    },
    connected: function () { return running; }
  };
  window.shifuScorm = scorm;

  // A lesson page counts as completed once opened; the quiz page reports its own status.
  window.addEventListener("load", function () {
    scorm.start();
    if (document.body.getAttribute("data-page") === "lesson") {
      scorm.set("cmi.core.lesson_status", "completed");
      scorm.commit();
    } else if (scorm.get("cmi.core.lesson_status") === "not attempted") {
      scorm.set("cmi.core.lesson_status", "incomplete");
      scorm.commit();
    }
  });
  window.addEventListener("pagehide", function () { scorm.finish(); });
})();
