// Journal copies kept on this device belong to one account: on a shared phone, they are
// forgotten when someone logs out, and when another account signs in.
(function () {
  "use strict";
  var ACCOUNT = "fii-account";

  function forgetJournals() {
    try {
      Object.keys(localStorage).forEach(function (k) {
        if (k.indexOf("fii-journal:") === 0) { localStorage.removeItem(k); }
      });
    } catch (e) { /* storage disabled */ }
  }

  var account = document.body.dataset.account;
  if (account) {
    try {
      var previous = localStorage.getItem(ACCOUNT);
      if (previous !== null && previous !== account) { forgetJournals(); }
      localStorage.setItem(ACCOUNT, account);
    } catch (e) { /* storage disabled */ }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.logout-form"), function (form) {
    form.addEventListener("submit", function () {
      forgetJournals();
      try { localStorage.removeItem(ACCOUNT); } catch (e) { /* storage disabled */ }
    });
  });
})();
