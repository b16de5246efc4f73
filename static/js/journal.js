// The journal keeps what a family types: on this device (in case the session ends or the
// network drops) and on the server as a draft every few seconds. No framework, no inline code.
(function () {
  "use strict";
  var form = document.getElementById("journal-form");
  if (!form) { return; }
  var key = form.dataset.storageKey;
  var status = document.getElementById("autosave-status");
  var serverVersion = form.dataset.updatedAt || "";
  var submitted = form.dataset.submitted === "1";
  var dirty = false;
  var timer = null;
  var t = {
    es: { restored: "Recuperamos lo que había escrito en este dispositivo.", saved: "Borrador guardado.",
          offline: "Sin conexión: lo que escribe se guarda en este dispositivo.",
          loggedOut: "Su sesión terminó. Lo que escribió está guardado en este dispositivo: ",
          login: "inicie sesión de nuevo" },
    en: { restored: "We restored what you had typed on this device.", saved: "Draft saved.",
          offline: "No connection: what you type is kept on this device.",
          loggedOut: "Your session ended. What you typed is kept on this device: ",
          login: "log in again" }
  }[document.documentElement.lang === "es" ? "es" : "en"];

  function say(text, link) {
    if (!status) { return; }
    status.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = form.dataset.loginUrl;
      a.textContent = t.login;
      status.appendChild(a);
    }
  }

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        if (el.type === "checkbox") { out[el.name] = out[el.name] || ""; }
        return;
      }
      out[el.name] = el.value;
    });
    return out;
  }

  function remember() {
    try {
      localStorage.setItem(key, JSON.stringify({ base: serverVersion, values: fields() }));
    } catch (e) { /* storage full or disabled: the server draft still works */ }
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.values) { return; }
    // Only what was typed since the server's copy was saved: anything older is already there.
    if (saved.base !== serverVersion) { localStorage.removeItem(key); return; }
    var changed = false;
    Object.keys(saved.values).forEach(function (name) {
      var value = saved.values[name];
      var els = form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") {
          if (el.checked !== (el.value === value)) { el.checked = el.value === value; changed = true; }
        } else if (el.type === "checkbox") {
          var on = value !== "" && value !== undefined;
          if (el.checked !== on) { el.checked = on; changed = true; }
        } else if (el.value !== value) {
          el.value = value; changed = true;
        }
      });
    });
    if (changed) { dirty = true; say(t.restored); schedule(); }
  }

  function autosave() {
    timer = null;
    if (!dirty || submitted) { return; }
    var body = new FormData(form);
    body.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) { say(t.loggedOut, true); return null; }
      return response.json().then(function (data) { return response.ok ? data : null; });
    }).then(function (data) {
      if (!data) { return; }
      dirty = false;
      serverVersion = data.updated_at;
      form.dataset.updatedAt = serverVersion;
      remember();
      say(t.saved);
    }).catch(function () { say(t.offline); });
  }

  function schedule() {
    if (submitted) { return; }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(autosave, 4000);
  }

  form.addEventListener("input", function () { dirty = true; remember(); schedule(); });
  form.addEventListener("change", function () { dirty = true; remember(); schedule(); });

  // One click is enough: later clicks do nothing while the first is on its way.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending === "1") { event.preventDefault(); return; }
    form.dataset.sending = "1";
    var button = event.submitter;
    if (button && button.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
      form.appendChild(hidden);
    }
    if (timer) { clearTimeout(timer); }
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
      b.setAttribute("aria-disabled", "true");
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  restore();
})();
