// Desk behaviour that needs a browser: warn before leaving a reply half-written.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("reply-form");
  if (!form) return;
  const body = form.querySelector("textarea");
  let sending = false;
  form.addEventListener("submit", () => { sending = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!sending && body && body.value.trim()) { event.preventDefault(); }
  });
});

// A <select data-autosubmit> submits its form when changed (no inline on…= handlers: the CSP).
document.addEventListener("change", (event) => {
  const select = event.target.closest && event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});
