/* Comprehensive acceptance and pickup: show only the inputs that apply. Without this script
   every input stays visible and the pages work the same. */
(function () {
  "use strict";

  function toggle(el, show) {
    el.hidden = !show;
  }

  function syncMaterial(item) {
    var how = item.querySelector("[data-how]");
    if (!how) return;
    item.querySelectorAll("[data-show-for]").forEach(function (el) {
      var wanted = el.getAttribute("data-show-for").split(" ");
      toggle(el, wanted.indexOf(how.value) !== -1);
    });
  }

  function syncOutcome(form) {
    var checked = form.querySelector("[data-outcome]:checked");
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-outcome-for]").forEach(function (el) {
      toggle(el, el.getAttribute("data-outcome-for") === value);
    });
  }

  function syncRelation(form) {
    var checked = form.querySelector("input[name=relation]:checked");
    var agent = checked && checked.value === "agent";
    form.querySelectorAll("[data-agent-only]").forEach(function (el) {
      toggle(el, agent);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-material]").forEach(function (item) {
      syncMaterial(item);
      var how = item.querySelector("[data-how]");
      if (how) how.addEventListener("change", function () { syncMaterial(item); });
      var file = item.querySelector("input[type=file]");
      if (file && how) {
        file.addEventListener("change", function () {
          if (file.files.length) { how.value = "file"; syncMaterial(item); }
        });
      }
    });
    var form = document.getElementById("accept-form");
    if (form && form.querySelector("[data-outcome]")) {
      syncOutcome(form);
      form.addEventListener("change", function (e) {
        if (e.target.hasAttribute("data-outcome")) syncOutcome(form);
      });
    }
    var relation = document.querySelector("input[name=relation]");
    if (relation) {
      var pickup = relation.form;
      syncRelation(pickup);
      pickup.addEventListener("change", function (e) {
        if (e.target.name === "relation") syncRelation(pickup);
      });
    }
  });
})();
