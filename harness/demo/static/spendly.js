/* Spendly front-end behaviour: the CSV export button; and in 2.0 the confirmation modal, cookie banner,
   row action menus, live checks on fields, the expense list's live filter and the help toggle. */
(function () {
  "use strict";

  function setupConfirmModal() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      var modal = document.getElementById(form.dataset.confirm);
      if (!modal) { return; }
      var confirmButton = modal.querySelector("#modal-confirm");
      var cancelButton = modal.querySelector("#modal-cancel");
      function close() { modal.hidden = true; }
      form.addEventListener("submit", function (event) {
        if (form.dataset.confirmed === "1") { return; }
        event.preventDefault();
        modal.hidden = false;
        confirmButton.focus();
      });
      confirmButton.addEventListener("click", function () {
        form.dataset.confirmed = "1";
        close();
        form.submit();
      });
      cancelButton.addEventListener("click", close);
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !modal.hidden) { close(); }
      });
    });
  }

  function setupCookieBanner() {
    var banner = document.getElementById("cookie-banner");
    if (!banner) { return; }
    document.getElementById("cookie-accept").addEventListener("click", function () {
      document.cookie = "spendly_consent=accepted; path=/; max-age=31536000; SameSite=Lax";
      banner.remove();
    });
    document.getElementById("cookie-manage").addEventListener("click", function () {
      var prefs = document.getElementById("cookie-prefs");
      prefs.hidden = !prefs.hidden;
    });
  }

  function setupRowMenus() {
    var toggles = document.querySelectorAll(".row-actions__toggle");
    function closeAll(except) {
      toggles.forEach(function (other) {
        if (other !== except) {
          other.setAttribute("aria-expanded", "false");
          document.getElementById(other.getAttribute("aria-controls")).hidden = true;
        }
      });
    }
    toggles.forEach(function (toggle) {
      toggle.addEventListener("click", function (event) {
        event.stopPropagation();
        var menu = document.getElementById(toggle.getAttribute("aria-controls"));
        var open = menu.hidden;
        closeAll(toggle);
        menu.hidden = !open;
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".row-actions")) { closeAll(null); }
    });
  }

  // 1.8: "Export CSV" prepares the file and shows a link to it. 2.0 rebuilt the toolbar and its button
  // no longer carries data-export-url, so nothing is bound to it: clicking it does nothing at all.
  function setupExport() {
    document.querySelectorAll("button[data-export-url]").forEach(function (button) {
      button.addEventListener("click", function () {
        var status = document.getElementById(button.dataset.exportStatus);
        var link = document.createElement("a");
        link.href = button.dataset.exportUrl;
        link.download = "expenses.csv";
        link.textContent = "Download expenses.csv";
        status.textContent = "Your export is ready. ";
        status.appendChild(link);
        status.hidden = false;
      });
    });
  }

  // 2.0: a live length check on fields with data-live-maxlength, run on every input event.
  function setupLiveValidation() {
    document.querySelectorAll("[data-live-maxlength]").forEach(function (field) {
      var max = parseInt(field.dataset.liveMaxlength, 10);
      var error = document.getElementById(field.dataset.liveError);
      field.addEventListener("input", function () {
        var tooLong = field.value.length > max;
        var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
          return id && id !== error.id;
        });
        if (tooLong) { described.push(error.id); }
        if (described.length) {
          field.setAttribute("aria-describedby", described.join(" "));
        } else {
          field.removeAttribute("aria-describedby");
        }
        if (tooLong) {
          field.setAttribute("aria-invalid", "true");
        } else {
          field.removeAttribute("aria-invalid");
        }
        error.hidden = !tooLong;
      });
    });
  }

  // 2.0: the expense list highlights the rows matching the search box as you type, rebuilding every
  // row's search index on each input event: about 300 ms of main-thread work per keystroke.
  var LIVE_FILTER_WORK_MS = 300;
  function setupLiveFilter() {
    var box = document.querySelector(".searchbar__input");
    var table = document.getElementById("expenses-table");
    if (!box || !table) { return; }
    box.addEventListener("input", function () {
      var until = performance.now() + LIVE_FILTER_WORK_MS;
      var rows = table.querySelectorAll("tbody tr");
      var index = [];
      while (performance.now() < until) {
        index = Array.prototype.map.call(rows, function (row) { return row.textContent.toLowerCase(); });
      }
      var words = box.value.trim().toLowerCase();
      rows.forEach(function (row, i) {
        row.classList.toggle("exp-list__item--match", !!words && index[i].indexOf(words) !== -1);
      });
    });
  }

  function setupHelpToggle() {
    document.querySelectorAll(".icon-button[aria-controls]").forEach(function (button) {
      button.addEventListener("click", function () {
        var panel = document.getElementById(button.getAttribute("aria-controls"));
        panel.hidden = !panel.hidden;
        button.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupExport();
    setupConfirmModal();
    setupCookieBanner();
    setupRowMenus();
    setupLiveValidation();
    setupLiveFilter();
    setupHelpToggle();
  });
})();
