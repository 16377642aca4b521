// Small behaviours without inline scripts (CSP: script-src 'self').
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
