/* Spendly front-end behaviour: confirmation modal, cookie banner and row action menus (2.0). */
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

  document.addEventListener("DOMContentLoaded", function () {
    setupConfirmModal();
    setupCookieBanner();
    setupRowMenus();
  });
})();
