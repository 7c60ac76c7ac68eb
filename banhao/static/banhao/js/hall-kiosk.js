/* The ticket kiosk and the 24-hour self-service area (banhao/hall/kiosk_views.py).
 *
 * - Idle reset: after data-idle-seconds without a touch or a key (90 by default; the ticket
 *   page sets fewer), a countdown of data-countdown-seconds is shown; then every field and every
 *   [data-kk-personal] block is emptied and the page is replaced by data-home (no way back).
 *   A touch during the countdown cancels it.
 * - The on-screen keypad types into the field last touched (the phone field by default; the
 *   ID field keeps the focus for the card reader).
 * - A form is sent once: a second tap while the page loads does nothing.
 * - The ticket page speaks "您已领取A005号，前方等待3人" and can print the 80 mm slip.
 * Everything works without this file: the forms are plain HTML forms.
 */
(function () {
  "use strict";

  var root = document.getElementById("kk");
  if (!root) return;

  function num(value, fallback) {
    var n = parseInt(value, 10);
    return isNaN(n) || n <= 0 ? fallback : n;
  }

  // --- idle reset ------------------------------------------------------------------------------
  var home = root.getAttribute("data-home") || "/";
  var idleSeconds = num(root.getAttribute("data-idle-seconds"), 90);
  var countdownSeconds = num(root.getAttribute("data-countdown-seconds"), 10);
  var overlay = document.getElementById("kk-idle");
  var counter = document.getElementById("kk-idle-n");
  var stay = document.getElementById("kk-idle-stay");
  var idleTimer = null;
  var tickTimer = null;
  var left = 0;
  var leaving = false;

  function clearScreen() {
    leaving = true;
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    Array.prototype.forEach.call(document.querySelectorAll("input, textarea"), function (el) {
      if (el.type !== "hidden") el.value = "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-kk-personal]"), function (el) {
      el.textContent = "";
    });
    window.location.replace(home);
  }

  function tick() {
    left -= 1;
    if (counter) counter.textContent = String(Math.max(left, 0));
    if (left <= 0) {
      window.clearInterval(tickTimer);
      clearScreen();
    }
  }

  function startCountdown() {
    left = countdownSeconds;
    if (counter) counter.textContent = String(left);
    if (overlay) overlay.hidden = false;
    if (stay) stay.focus();
    tickTimer = window.setInterval(tick, 1000);
  }

  function activity() {
    if (leaving) return;
    window.clearTimeout(idleTimer);
    window.clearInterval(tickTimer);
    if (overlay) overlay.hidden = true;
    idleTimer = window.setTimeout(startCountdown, idleSeconds * 1000);
  }

  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, activity, { capture: true, passive: true });
  });
  if (stay) stay.addEventListener("click", activity);
  // Coming back through the browser's history shows a fresh page, never an old screen.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.replace(home);
  });
  activity();

  // --- the on-screen keypad ----------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-kk-keypad]"), function (pad) {
    var form = pad.closest("form");
    if (!form) return;
    var inputs = form.querySelectorAll("input.kk-input");
    var target = form.querySelector('[data-kk-field="phone"]') || inputs[inputs.length - 1];
    function aim(el) {
      if (target) target.classList.remove("kk-input--target");
      target = el;
      if (target) target.classList.add("kk-input--target");
    }
    // Only a touch moves the keypad to another field: the ID field's autofocus (for the card
    // reader) must not take the keypad away from the phone field.
    Array.prototype.forEach.call(inputs, function (el) {
      el.addEventListener("pointerdown", function () {
        aim(el);
      });
    });
    aim(target);
    pad.hidden = false;
    pad.addEventListener("pointerdown", function (event) {
      if (event.target.closest("[data-key]")) event.preventDefault(); // keep the field's focus
    });
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key || !target) return;
      var k = key.getAttribute("data-key");
      var max = num(target.getAttribute("maxlength"), 32);
      if (k === "back") target.value = target.value.slice(0, -1);
      else if (k === "clear") target.value = "";
      else if ((k === "X" || k === "-") && target.getAttribute("inputmode") === "numeric") return;
      else if (target.value.length < max) target.value += k;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // --- a form is sent once ---------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("form[data-kk-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"]'), function (b) {
        b.setAttribute("aria-busy", "true");
      });
    });
  });

  // --- the ticket: voice and print ----------------------------------------------------------------
  var say = document.querySelector("[data-kk-say]");
  var text = say ? say.getAttribute("data-kk-say") : "";
  var synth = window.speechSynthesis;

  function speak() {
    if (!synth || !text || typeof SpeechSynthesisUtterance === "undefined") return;
    synth.cancel();
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    u.rate = 0.9;
    synth.speak(u);
  }

  if (text && synth) {
    var again = document.querySelector("[data-kk-speak]");
    if (again) {
      again.hidden = false;
      again.addEventListener("click", speak);
    }
    speak();
  }

  var printButton = document.querySelector("[data-kk-print]");
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () {
      window.print();
    });
  }

  // --- the decision: print the PDF shown in the frame -----------------------------------------
  var docButton = document.querySelector("[data-kk-print-doc]");
  var frame = document.querySelector("[data-kk-doc]");
  if (docButton && frame) {
    docButton.hidden = false;
    docButton.addEventListener("click", function () {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (e) {
        window.print();
      }
    });
  }
})();
