// Small behaviours without inline scripts (CSP: script-src 'self').
// Once per page: restoring a page from HTMX's history cache runs the body's scripts again.
(() => {
if (window.chanjiaoLoaded) return;
window.chanjiaoLoaded = true;
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});

// List filters (issue 6 point 12): the address always equals the filter form. HTMX alone appended the form
// to the current address (parameters repeated on every change) and dropped a change made while a request
// was in flight (the template sets hx-sync="this:queue last": the last change is sent once the running request ends). Here the request is exactly the form's
// non-empty values, each once, plus the sort and page size already chosen; the server confirms the address
// with HX-Push-Url. On load and on back/forward the form is filled from the address.
const NO_FILTER = new Set(["", "unknown"]); // "unknown" is the yes/no filters' "all" choice
const KEPT = ["sort", "per_page"]; // a new filter starts again at page 1

function filterParams(form) {
  const params = {};
  for (const [name, raw] of new FormData(form)) {
    if (typeof raw !== "string" || NO_FILTER.has(raw.trim())) continue;
    const values = (params[name] = params[name] || []);
    if (!values.includes(raw)) values.push(raw);
  }
  const current = new URLSearchParams(window.location.search);
  for (const name of KEPT) {
    if (current.get(name) && !(name in params)) params[name] = [current.get(name)];
  }
  return params;
}

function fillFromAddress(form) {
  const params = new URLSearchParams(window.location.search);
  for (const field of form.elements) {
    if (!field.name || field.type === "submit" || field.type === "button") continue;
    const values = params.getAll(field.name);
    const last = values.length ? values[values.length - 1] : "";
    if (field.type === "checkbox" || field.type === "radio") {
      field.checked = values.includes(field.value);
    } else if (field.multiple) {
      for (const option of field.options) option.selected = values.includes(option.value);
    } else if (field.tagName === "SELECT") {
      // By index: deselecting one option of a single select makes the browser select the first again.
      const index = [...field.options].findIndex((option) => option.value === last);
      field.selectedIndex = index >= 0 ? index : 0; // not in the address: the first choice, "全部"
    } else {
      field.value = last;
    }
  }
}

document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-filter-form]")) return;
  event.detail.path = form.getAttribute("action") || window.location.pathname;
  event.detail.parameters = filterParams(form);
});

function fillFilterForms() {
  document.querySelectorAll("form[data-filter-form]").forEach(fillFromAddress);
}

// The export buttons sit outside the table HTMX swaps: rebuild them from the address after every
// filter change, so "export what I see" exports the rows shown now, not those of the first load.
function refreshExportLinks() {
  const params = new URLSearchParams(window.location.search);
  params.delete("page");
  document.querySelectorAll("a[data-export]").forEach((link) => {
    const query = new URLSearchParams(params);
    query.set("export", link.dataset.export);
    link.setAttribute("href", `?${query.toString()}`);
  });
}

fillFilterForms();
document.addEventListener("htmx:historyRestore", () => { fillFilterForms(); refreshExportLinks(); });
document.addEventListener("htmx:pushedIntoHistory", refreshExportLinks);
document.addEventListener("htmx:replacedInHistory", refreshExportLinks);
window.addEventListener("pageshow", (event) => {
  if (event.persisted) fillFilterForms();
});
})();
