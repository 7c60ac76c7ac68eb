// The hall's big screen: shows the latest published 红蓝榜 from the public JSON API
// (/api/v1/assessment/boards/?hall=<id>). Nothing published (404) or offline: the section stays
// hidden. Refreshed every ten minutes, so a board published during the day appears.
(function () {
  "use strict";
  var box = document.getElementById("hs-honour");
  if (!box || !window.fetch) return;
  var REFRESH_MS = 10 * 60 * 1000;

  function fill(id, rows) {
    var ol = document.getElementById(id);
    ol.textContent = "";
    if (!rows.length) {
      var none = document.createElement("li");
      none.textContent = "本月无";
      ol.appendChild(none);
      return;
    }
    rows.forEach(function (r) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = "第" + r.rank + "名 " + r.window;
      var score = document.createElement("span");
      score.textContent = r.score + "分";
      li.appendChild(name);
      li.appendChild(score);
      ol.appendChild(li);
    });
  }

  function load() {
    fetch(box.getAttribute("data-src"), { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) { box.hidden = true; return; }
        document.getElementById("hs-honour-title").textContent = data.period_label + "窗口红蓝榜";
        fill("hs-honour-red", data.red);
        fill("hs-honour-blue", data.blue);
        box.hidden = false;
      })
      .catch(function () { /* keep what is shown; try again later */ });
  }

  load();
  setInterval(load, REFRESH_MS);
})();
