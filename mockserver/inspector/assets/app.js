// prismhook inspector: swaps in fragments the server renders when a
// server-sent event says something changed. Every text comes from the
// server already escaped; this script never builds HTML from data.
"use strict";
(function () {
  var keys = document.body.dataset.keys === "true";
  var token = sessionStorage.getItem("prismhook-token") || "";
  var openDelivery = "";
  var openCheck = "";
  var $ = function (id) { return document.getElementById(id); };

  function headers(extra) {
    var h = extra || {};
    if (token) h["Authorization"] = "Bearer " + token;
    return h;
  }
  function say(text, bad) {
    var m = $("message");
    m.textContent = text;
    m.className = "message" + (bad ? " bad" : "");
  }
  function get(path) {
    return fetch(path, { headers: headers(), cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.text();
    });
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.text().then(function (t) {
        var v = null;
        try { v = JSON.parse(t); } catch (e) { /* not JSON */ }
        if (!r.ok) throw new Error((v && v.error && v.error.message) || (path + ": " + r.status));
        return v;
      });
    });
  }

  // swap replaces el's content with server-rendered HTML, keeping the
  // keyboard focus on the control with the same identity.
  function swap(el, html) {
    var a = document.activeElement, key = null;
    if (a && el.contains(a)) key = a.id || (a.className + "|" + (a.dataset.delivery || a.dataset.webhook || a.dataset.check || ""));
    el.innerHTML = html;
    if (!key) return;
    var again = null;
    el.querySelectorAll("button, select, input").forEach(function (c) {
      var k = c.id || (c.className + "|" + (c.dataset.delivery || c.dataset.webhook || c.dataset.check || ""));
      if (!again && k === key) again = c;
    });
    if (again) again.focus();
  }

  var pending = {};
  // later coalesces bursts of events into one reload of a part.
  function later(name, fn) {
    if (pending[name]) return;
    pending[name] = setTimeout(function () { pending[name] = null; fn(); }, 150);
  }
  function loadLists() {
    return get("/_inspector/lists").then(function (html) { swap($("lists"), html); }).catch(function (e) { say(e.message, true); });
  }
  function loadDelivery() {
    if (!openDelivery) return Promise.resolve();
    return get("/_inspector/deliveries/" + encodeURIComponent(openDelivery)).then(function (html) {
      swap($("detail-body"), html);
      $("detail").hidden = false;
    }).catch(function (e) { say(e.message, true); });
  }
  function loadCheck() {
    if (!openCheck) return Promise.resolve();
    var id = openCheck;
    return get("/_inspector/checks/" + encodeURIComponent(id)).then(function (html) {
      swap($("check-body"), html);
      $("check").hidden = false;
      var run = $("check-body").querySelector(".run");
      var frame = $("report");
      if (run && run.dataset.status === "done") {
        var src = "/_inspector/checks/" + encodeURIComponent(id) + "/report";
        if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
        frame.hidden = false;
      } else {
        frame.hidden = true;
      }
    }).catch(function (e) { say(e.message, true); });
  }

  // Server-sent events, read from a fetch so that the key can travel in
  // a header; reconnects with a growing pause after a failure.
  var wait = 500;
  var stream = null; // the AbortController of the open stream
  function listen() {
    var live = $("live");
    if (keys && !token) {
      live.textContent = "give a key"; live.className = "live off";
      return;
    }
    var ctl = new AbortController();
    stream = ctl;
    fetch("/_inspector/events", { headers: headers(), cache: "no-store", signal: ctl.signal }).then(function (r) {
      if (r.status === 401) { var e = new Error("unauthorized"); e.final = true; throw e; }
      if (!r.ok || !r.body) throw new Error("events: " + r.status);
      live.textContent = "live"; live.className = "live on"; wait = 500;
      var reader = r.body.getReader(), dec = new TextDecoder(), buf = "";
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) throw new Error("stream ended");
          buf += dec.decode(res.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            handle(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      if (ctl.signal.aborted) return; // replaced by a new stream
      live.className = "live off";
      if (e.final) {
        live.textContent = "key refused";
        say("This API key is not accepted by the server.", true);
        return;
      }
      live.textContent = "reconnecting…";
      setTimeout(function () { if (stream === ctl) listen(); }, wait);
      wait = Math.min(wait * 2, 10000);
    });
  }
  function handle(block) {
    var kind = "", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) kind = line.slice(7);
      else if (line.indexOf("data: ") === 0) data = line.slice(6);
    });
    if (!kind) return;
    later("lists", loadLists);
    if (kind === "delivery" && data === openDelivery) later("delivery", loadDelivery);
    if (kind === "check" && data === openCheck) later("check", loadCheck);
    if (kind === "reset") { later("delivery", loadDelivery); }
  }

  function open(id) {
    openDelivery = id;
    loadDelivery().then(function () { $("detail").focus(); });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.classList.contains("open-btn")) open(b.dataset.delivery);
    else if (b.classList.contains("close-btn")) { openDelivery = ""; $("detail-body").textContent = "Open a delivery of the log to see every attempt."; }
    else if (b.classList.contains("redeliver-btn")) {
      b.disabled = true;
      say("Redelivering " + b.dataset.delivery + "…");
      post("/_mock/deliveries/" + encodeURIComponent(b.dataset.delivery) + "/redeliver").then(function (d) {
        var a = d.attempts[d.attempts.length - 1];
        say("Redelivered: " + (a.status ? "answer " + a.status : (a.error || "no answer")));
        return loadDelivery();
      }).catch(function (e) { say(e.message, true); }).then(function () { b.disabled = false; });
    } else if (b.classList.contains("check-btn")) {
      b.disabled = true;
      post("/_mock/checks", { webhook_id: b.dataset.webhook }).then(function (run) {
        openCheck = run.id;
        say("Check " + run.id + " started");
        return loadCheck().then(function () { $("check").focus(); });
      }).catch(function (e) { say(e.message, true); }).then(function () { b.disabled = false; });
    } else if (b.classList.contains("run-btn")) {
      openCheck = b.dataset.check;
      loadCheck().then(function () { $("check").focus(); });
    }
  });

  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    ev.preventDefault();
    if (f.id === "token-form") {
      token = $("token").value.trim();
      sessionStorage.setItem("prismhook-token", token);
      say(token ? (keys ? "Showing this key's objects." : "Filtered by token.") : "Showing everything.");
      restart();
    } else if (f.id === "outcome-form") {
      post("/_mock/outcome", { outcome: $("outcome").value }).then(function (v) {
        say("The next generation will end " + v.outcome + ".");
      }).catch(function (e) { say(e.message, true); });
    } else if (f.classList.contains("test-form")) {
      var ev2 = f.elements.event.value, fault = f.elements.fault.value;
      var body = { webhook_id: f.dataset.webhook, event: ev2 === "unknown" ? "video.completed" : ev2, fault: ev2 === "unknown" ? "unknown-event" : fault };
      say("Sending a test event…");
      post("/_mock/emit", body).then(function (v) {
        var x = v.exchanges[0];
        say("Test event " + x.delivery_id + ": " + (x.status ? "answer " + x.status : (x.error || "no answer")));
        openDelivery = x.delivery_id;
        loadLists();
        return loadDelivery();
      }).catch(function (e) { say(e.message, true); });
    }
  });

  function restart() {
    if (stream) stream.abort();
    wait = 500;
    listen();
    loadLists();
    loadDelivery();
  }

  // Escape closes the delivery and returns to its row.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || !openDelivery || !$("detail").contains(document.activeElement)) return;
    var id = openDelivery;
    openDelivery = "";
    $("detail-body").textContent = "Open a delivery of the log to see every attempt.";
    var row = document.querySelector('.open-btn[data-delivery="' + CSS.escape(id) + '"]');
    if (row) row.focus();
  });

  $("token").value = token;
  if (token) loadLists();
  listen();
})();
