// Forget journal copies kept on this device when someone logs out of a shared phone.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.logout-form");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(localStorage).forEach(function (k) {
          if (k.indexOf("fii-journal:") === 0) { localStorage.removeItem(k); }
        });
      } catch (e) { /* storage disabled */ }
    });
  });
})();
