/* banhao 办好 — progressive niceties only. Every page works the same without this file.
 *
 * 1. 朗读 (read aloud): each element marked `data-read-aloud` gets a button that reads its
 *    text with the browser's speech synthesis (zh-CN). No button when the browser has none.
 * 2. `data-confirm="…"` on a form asks before submitting (the server still validates).
 */
(function () {
  "use strict";

  var synth = window.speechSynthesis;
  var canSpeak = !!(synth && window.SpeechSynthesisUtterance);
  var current = null; // the button whose text is being read

  function elderMode() {
    return document.documentElement.classList.contains("elder");
  }

  function textOf(el) {
    var clone = el.cloneNode(true);
    var skip = clone.querySelectorAll(".bh-read-aloud, script, style, [aria-hidden='true']");
    for (var i = 0; i < skip.length; i++) {
      skip[i].parentNode.removeChild(skip[i]);
    }
    return (clone.innerText || clone.textContent || "").replace(/\s+/g, " ").trim();
  }

  function chineseVoice() {
    var voices = synth.getVoices ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?(CN|Hans)?/i.test(voices[i].lang)) {
        return voices[i];
      }
    }
    return null;
  }

  function reset(button) {
    if (!button) {
      return;
    }
    button.textContent = "朗读";
    button.setAttribute("aria-pressed", "false");
  }

  function stop() {
    synth.cancel();
    reset(current);
    current = null;
  }

  function speak(button, target) {
    var text = textOf(target);
    if (!text) {
      return;
    }
    stop();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = elderMode() ? 0.85 : 1;
    var voice = chineseVoice();
    if (voice) {
      utterance.voice = voice;
    }
    utterance.onend = utterance.onerror = function () {
      if (current === button) {
        reset(button);
        current = null;
      }
    };
    current = button;
    button.textContent = "停止朗读";
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
  }

  function addReadAloud(target) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "bh-btn bh-btn--small bh-read-aloud";
    button.setAttribute("aria-pressed", "false");
    button.textContent = "朗读";
    button.addEventListener("click", function () {
      if (current === button) {
        stop();
      } else {
        speak(button, target);
      }
    });
    target.insertBefore(button, target.firstChild);
  }

  function init() {
    if (canSpeak) {
      var targets = document.querySelectorAll("[data-read-aloud]");
      for (var i = 0; i < targets.length; i++) {
        addReadAloud(targets[i]);
      }
      window.addEventListener("pagehide", function () {
        synth.cancel();
      });
    }

    // 好差评: a rating form says whether it was filled in on a phone (移动端) or a computer (电脑端)
    var layouts = document.querySelectorAll("input[data-bh-layout]");
    if (layouts.length && window.matchMedia) {
      var phone = window.matchMedia("(max-width: 760px), (pointer: coarse)").matches;
      for (var j = 0; j < layouts.length; j++) {
        layouts[j].value = phone ? "mobile" : "pc";
      }
    }

    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form && form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
