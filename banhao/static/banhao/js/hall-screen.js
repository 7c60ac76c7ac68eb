/* Hall screens: the big screen (#hs-board) and a window's small screen (#hs-window).
 *
 * Both poll their JSON feed every data-poll-ms milliseconds (a chain of timeouts, never two
 * requests at once; slower retries while the network is down) and show a clock kept on the
 * server's time. The big screen asks for the calls after the last event it has seen
 * (?after=<id>), shows each new call on the LED line and, once "开启语音播报" has been
 * pressed (browsers allow sound only after a user gesture), announces it twice with the
 * browser's speech synthesis in a queue, so announcements never overlap.
 * When the server's date changes the page reloads itself (a new day, a fresh layout).
 */
(function () {
  "use strict";

  var RECENT = 5;            // calls kept under the LED line
  var GAP_MS = 600;          // silence between two announcements
  var WATCHDOG_MS = 15000;   // an utterance that never ends is cut off
  var DIGITS = "零一二三四五六七八九";

  function byId(id) { return document.getElementById(id); }

  // --- clock on the server's time --------------------------------------------------------------

  function startClock(root) {
    var offset = Number(root.dataset.serverMs) - Date.now();
    var zone = root.dataset.timeZone || undefined;
    var clock = byId("hs-clock");
    var format;
    try {
      format = new Intl.DateTimeFormat("zh-CN", {
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: zone
      });
    } catch (e) {
      format = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    }
    function tick() {
      if (clock) clock.textContent = format.format(new Date(Date.now() + offset));
    }
    tick();
    setInterval(tick, 1000);
    return function sync(serverMs) { if (serverMs) offset = serverMs - Date.now(); };
  }

  // --- polling -----------------------------------------------------------------------------

  function poll(urlFn, interval, onData) {
    var failures = 0;
    var offline = byId("hs-offline");
    function show(down) { if (offline) offline.hidden = !down; }
    function next() {
      var wait = failures ? Math.min(interval * Math.pow(2, failures), 10000) : interval;
      setTimeout(run, wait);
    }
    function run() {
      var ctrl = typeof AbortController === "function" ? new AbortController() : null;
      var guard = setTimeout(function () { if (ctrl) ctrl.abort(); }, Math.max(interval * 4, 5000));
      fetch(urlFn(), {
        cache: "no-store",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: ctrl ? ctrl.signal : undefined
      })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) {
          failures = 0;
          show(false);
          onData(data);
        })
        .catch(function () {
          failures += 1;
          if (failures >= 3) show(true);
        })
        .then(function () {
          clearTimeout(guard);
          next();
        });
    }
    next();
  }

  function reloadOnNewDay(root, data) {
    if (data.date && root.dataset.date && data.date !== root.dataset.date) {
      window.location.reload();
      return true;
    }
    return false;
  }

  function flash(el) {
    if (!el) return;
    el.classList.remove("hs-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("hs-flash");
  }

  // --- voice ---------------------------------------------------------------------------------

  /* "请A001号到5号窗口办理" → "请A零零一号到5号窗口办理": the ticket's digits one by one, as halls
   * call them (an engine would otherwise read 001 as "一"). */
  function spoken(text) {
    return text.replace(/([A-Z]+)(\d+)号/, function (_m, letters, digits) {
      return letters + digits.replace(/\d/g, function (d) { return DIGITS.charAt(Number(d)); }) + "号";
    });
  }

  function Voice(button, hint) {
    var synth = window.speechSynthesis;
    var queue = [];
    var busy = false;
    var enabled = false;
    var voice = null;

    function pickVoice() {
      if (!synth) return;
      var voices = synth.getVoices() || [];
      voice = voices.filter(function (v) { return /^zh[-_]CN/i.test(v.lang); })[0] ||
        voices.filter(function (v) { return /^zh/i.test(v.lang); })[0] || null;
    }

    function render() {
      if (!button) return;
      button.setAttribute("aria-pressed", enabled ? "true" : "false");
      button.textContent = enabled ? "关闭语音播报" : "开启语音播报";
      if (hint) hint.hidden = enabled;
    }

    function pump() {
      if (busy || !queue.length || !enabled) return;
      busy = true;
      var text = queue.shift();
      var done = false;
      var utter = new SpeechSynthesisUtterance(spoken(text));
      utter.lang = "zh-CN";
      if (voice) utter.voice = voice;
      utter.rate = 0.9;
      function finish() {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        setTimeout(function () { busy = false; pump(); }, GAP_MS);
      }
      var watchdog = setTimeout(function () { synth.cancel(); finish(); }, WATCHDOG_MS);
      utter.onend = finish;
      utter.onerror = function (e) {
        if (e && e.error === "not-allowed") { // the browser wants a click first
          enabled = false;
          queue = [];
          render();
        }
        finish();
      };
      synth.speak(utter);
    }

    function setEnabled(on) {
      enabled = !!on && !!synth;
      try { window.localStorage.setItem("hs-voice", enabled ? "on" : "off"); } catch (e) { /* private mode */ }
      if (!enabled) {
        queue = [];
        if (synth) synth.cancel();
      }
      render();
    }

    if (!synth) {
      if (button) { button.disabled = true; button.textContent = "本浏览器不支持语音播报"; }
      return { announce: function () {} };
    }
    pickVoice();
    if (typeof synth.addEventListener === "function") synth.addEventListener("voiceschanged", pickVoice);
    if (button) {
      button.addEventListener("click", function () {
        if (enabled) {
          setEnabled(false);
        } else {
          setEnabled(true);
          queue.push("语音播报已开启");
          pump();
        }
      });
    }
    var remembered = null;
    try { remembered = window.localStorage.getItem("hs-voice"); } catch (e) { /* private mode */ }
    if (remembered === "on") setEnabled(true); // a kiosk browser started with autoplay allowed

    return {
      announce: function (text) {
        if (!enabled) return;
        queue.push(text, text); // spoken twice, as halls do
        pump();
      }
    };
  }

  // --- the hall's big screen -------------------------------------------------------------

  function hallScreen(root) {
    var after = Number(root.dataset.after) || 0;
    var interval = Number(root.dataset.pollMs) || 1000;
    var led = byId("hs-led");
    var recent = byId("hs-recent");
    var avg = byId("hs-avg");
    var sync = startClock(root);
    var voice = Voice(byId("hs-voice"), byId("hs-voice-hint"));
    var windows = Array.prototype.slice.call(root.querySelectorAll("[data-window]"));
    var zones = Array.prototype.slice.call(root.querySelectorAll("[data-zone]"));

    var notice = byId("hs-notice");
    if (notice) {
      // A steady reading speed whatever the length of the notices, and the text already in
      // view when the page opens (the track starts one screen width to the right).
      var width = notice.scrollWidth || 2000;
      var seconds = Math.max(30, Math.round(width / 90));
      var lead = (notice.parentNode.clientWidth || 0) / width;
      notice.style.animationDuration = seconds + "s";
      notice.style.animationDelay = -(seconds * lead * 0.98) + "s";
    }

    function showCall(call) {
      if (led.textContent && !led.classList.contains("hs-led--idle")) {
        var li = document.createElement("li");
        li.textContent = led.textContent;
        recent.insertBefore(li, recent.firstChild);
        while (recent.children.length > RECENT) recent.removeChild(recent.lastChild);
      }
      led.classList.remove("hs-led--idle");
      led.textContent = call.led;
      flash(led);
      voice.announce(call.say);
    }

    function apply(data) {
      if (reloadOnNewDay(root, data)) return;
      sync(data.server_ms);
      (data.events || []).forEach(function (call) {
        if (call.id > after) showCall(call);
      });
      if (typeof data.last === "number") after = Math.max(after, data.last);
      var states = data.windows || {};
      windows.forEach(function (el) {
        var s = states[el.dataset.window] || { state: "idle", number: "" };
        var now = el.querySelector(".hs-win__now");
        var text = s.state === "serving" ? s.number : s.state === "paused" ? "暂停服务" : "空闲";
        el.className = "hs-win hs-win--" + s.state;
        if (now.textContent !== text) {
          now.textContent = text;
          if (s.state === "serving") flash(now);
        }
      });
      var waiting = data.zones || {};
      zones.forEach(function (el) {
        var n = el.querySelector(".hs-zone__n");
        if (n) n.textContent = String(waiting[el.dataset.zone] || 0);
      });
      if (avg && data.avg_wait) avg.textContent = data.avg_wait;
    }

    poll(function () {
      return root.dataset.feed + "?after=" + encodeURIComponent(after);
    }, interval, apply);
  }

  // --- a window's small screen -----------------------------------------------------------

  function windowScreen(root) {
    var interval = Number(root.dataset.pollMs) || 1000;
    var calledAt = root.dataset.calledAt || "";
    var led = byId("hs-window-led");
    var clerk = byId("hs-window-clerk");
    var name = byId("hs-clerk-name");
    var number = byId("hs-clerk-no");
    var sync = startClock(root);

    function apply(data) {
      if (reloadOnNewDay(root, data)) return;
      sync(data.server_ms);
      root.className = "hs-window hs-window--" + data.state;
      led.textContent = data.state === "idle" ? "欢迎光临" : data.led;
      if (data.state === "serving" && data.called_at && data.called_at !== calledAt) flash(led); // a call or a recall
      calledAt = data.called_at || "";
      clerk.hidden = !data.clerk_name;
      name.textContent = data.clerk_name || "";
      number.textContent = data.employee_no || "";
    }

    poll(function () { return root.dataset.feed; }, interval, apply);
  }

  function start() {
    var board = byId("hs-board");
    if (board) hallScreen(board);
    var win = byId("hs-window");
    if (win) windowScreen(win);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
