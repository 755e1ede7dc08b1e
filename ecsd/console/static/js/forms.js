// Dialogs that take input and call the API: the API's own error is shown in the dialog
// and nothing else happens, exactly as the CLI would have been refused.

import { h } from "./dom.js";

/**
 * fields: [{name, label, type: text|number|select|textarea|checkbox, value, options, hint}]
 * submit(values) → Promise; resolves to close the dialog (and refresh the page).
 */
export function dialog(title, fields, submit, { submitLabel = "Create", intro } = {}) {
  const error = h("div", { class: "form-error", role: "alert" });
  const inputs = {};
  const rows = fields.map((f) => {
    let input;
    if (f.type === "select") {
      input = h("select", { name: f.name, id: `f-${f.name}` },
        (f.options || []).map(([v, label]) => h("option", { value: v, selected: String(v) === String(f.value) || null }, label)));
    } else if (f.type === "textarea") {
      input = h("textarea", { name: f.name, id: `f-${f.name}` }, f.value || "");
    } else if (f.type === "checkbox") {
      input = h("input", { type: "checkbox", name: f.name, id: `f-${f.name}`, checked: f.value || null });
    } else {
      input = h("input", { type: f.type || "text", name: f.name, id: `f-${f.name}`, value: f.value ?? "", placeholder: f.placeholder || null });
    }
    inputs[f.name] = input;
    return h("div", { class: "field" }, h("label", { for: `f-${f.name}` }, f.label), input,
      f.hint ? h("span", { class: "hint" }, f.hint) : null);
  });
  const ok = h("button", { type: "submit", class: "primary" }, submitLabel);
  const cancel = h("button", { type: "button", onclick: () => close() }, "Cancel");
  const form = h("form", { method: "dialog" }, h("h2", {}, title), intro ? h("p", {}, intro) : null,
    rows, error, h("div", { class: "form-actions" }, cancel, ok));
  const dlg = h("dialog", {}, form);
  const close = () => { dlg.close(); dlg.remove(); };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    ok.disabled = true;
    const values = {};
    for (const [name, input] of Object.entries(inputs)) {
      values[name] = input.type === "checkbox" ? input.checked : input.value;
    }
    try {
      await submit(values);
      close();
      window.dispatchEvent(new Event("ecsd:refresh"));
    } catch (err) {
      error.textContent = String(err);
    } finally {
      ok.disabled = false;
    }
  });
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

export function confirmThen(message, action) {
  return dialog(message, [], action, { submitLabel: "Confirm" });
}

export function flash(text, bad = false) {
  const el = document.getElementById("flash");
  el.textContent = text;
  el.className = bad ? "flash bad" : "flash";
  el.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { el.hidden = true; }, 5000);
}

/** A comma/space separated list from a text field. */
export const list = (s) => String(s || "").split(/[\s,]+/).filter(Boolean);
