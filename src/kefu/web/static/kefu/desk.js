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
