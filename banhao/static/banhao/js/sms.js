/* banhao 办好 — SMS code pages. The server already renders everything; this only
 *
 * 1. counts down "60秒后可重新获取" (elements with data-bh-countdown="<seconds>") and keeps
 *    the resend button named by data-bh-countdown-for disabled until then;
 * 2. disables a form's submit buttons once it is sent (forms marked data-bh-once), so a
 *    double tap does not post twice (the server copes either way).
 */
(function () {
  "use strict";

  function countdown(el) {
    var left = parseInt(el.getAttribute("data-bh-countdown"), 10);
    var button = document.getElementById(el.getAttribute("data-bh-countdown-for") || "");
    if (!(left > 0)) {
      return;
    }
    if (button) {
      button.disabled = true;
    }
    var timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) {
        el.textContent = left + "秒后可重新获取";
        return;
      }
      window.clearInterval(timer);
      el.textContent = "现在可以重新获取验证码";
      if (button) {
        button.disabled = false;
      }
    }, 1000);
  }

  function init() {
    var counters = document.querySelectorAll("[data-bh-countdown]");
    for (var i = 0; i < counters.length; i++) {
      countdown(counters[i]);
    }

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute("data-bh-once") || event.defaultPrevented) {
        return;
      }
      // After the browser has read the pressed button's name and value.
      window.setTimeout(function () {
        var buttons = form.querySelectorAll("button[type=submit]");
        for (var j = 0; j < buttons.length; j++) {
          buttons[j].disabled = true;
        }
      }, 0);
    });

    // Back/forward cache: a page shown again must not keep its buttons disabled.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) {
        return;
      }
      var buttons = document.querySelectorAll("form[data-bh-once] button[type=submit]");
      for (var k = 0; k < buttons.length; k++) {
        buttons[k].disabled = false;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
