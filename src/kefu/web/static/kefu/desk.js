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

// Ticket page: collapsible panels that remember whether they were open (per panel, per browser).
// The page loads its panels after it arrives (htmx): their state is set as they are swapped in,
// before the browser paints them (htmx:afterSwap; htmx:load comes only after the settle delay).
function kefuRememberPanels(root) {
  root.querySelectorAll("details[data-panel-key]").forEach((panel) => {
    if (panel.dataset.remembered) return;
    panel.dataset.remembered = "1";
    const key = "kefu.panel." + panel.dataset.panelKey;
    const saved = window.localStorage.getItem(key);
    if (saved !== null) panel.open = saved === "1";
    const target = document.getElementById(window.location.hash.slice(1));
    if (target && panel.contains(target)) { panel.open = true; target.scrollIntoView(); }
    panel.addEventListener("toggle", () => {
      window.localStorage.setItem(key, panel.open ? "1" : "0");
    });
  });
}
document.addEventListener("htmx:afterSwap", (event) => kefuRememberPanels(event.detail.target));

// Panels that could not be loaded say so and offer to try again (only the slot's own request:
// a request made from inside a loaded panel reports its own errors).
function kefuPanelFailed(event) {
  const slot = event.detail && event.detail.target;
  if (!slot || !slot.matches || !slot.matches(".panel-slot")) return;
  const aside = slot.closest("[data-panel-failed]");
  const note = document.createElement("p");
  note.className = "error small";
  note.textContent = aside ? aside.dataset.panelFailed : "";
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "link";
  retry.textContent = aside ? aside.dataset.panelRetry : "↻";
  retry.addEventListener("click", () => {
    htmx.ajax("GET", slot.getAttribute("hx-get"), { target: slot, swap: "innerHTML" });
  });
  note.append(" ", retry);
  slot.replaceChildren(note);
}
document.addEventListener("htmx:responseError", kefuPanelFailed);
document.addEventListener("htmx:sendError", kefuPanelFailed);

document.addEventListener("DOMContentLoaded", () => {
  kefuRememberPanels(document);
  const timeline = document.getElementById("timeline-scroll");
  if (timeline) timeline.scrollTop = timeline.scrollHeight;
});

// Insert text into the reply box at the cursor, and let the language checker see it.
function kefuInsert(text) {
  const box = document.getElementById("reply-body");
  if (!box) return;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.selectionStart = box.selectionEnd = start + text.length;
  box.focus();
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

// Suggested articles: insert a link (public articles) or the text.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-insert-link]");
  if (link) {
    kefuInsert(link.dataset.title + "：" + link.dataset.insertLink);
    return;
  }
  const text = event.target.closest("[data-insert-text]");
  if (text) {
    const item = text.closest("li");
    const template = item && item.querySelector("template.kb-text");
    if (template) kefuInsert(template.content.textContent.trim());
  }
});

// The macro picker: Alt+M or the button; type to filter, ↑/↓ to choose, Enter to insert, Esc.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("reply-form");
  const picker = document.getElementById("macro-picker");
  const button = document.getElementById("macro-button");
  if (!form || !picker || !button) return;
  const filter = picker.querySelector("input");
  const list = picker.querySelector("ul");
  const note = document.getElementById("macro-note");
  const hidden = form.querySelector("input[name=macro_id]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let macros = null;
  let shown = [];
  let active = 0;

  function draw() {
    const words = filter.value.trim().toLowerCase();
    shown = (macros || []).filter((m) => !words || (m.title + m.body).toLowerCase().includes(words));
    active = Math.min(active, Math.max(shown.length - 1, 0));
    list.replaceChildren(...shown.map((m, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.id = m.id;
      li.className = i === active ? "active" : "";
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      const title = document.createElement("strong");
      title.textContent = m.title;
      const body = document.createElement("span");
      body.className = "muted small";
      body.textContent = m.body.slice(0, 60);
      li.append(title, document.createElement("br"), body);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      return li;
    }));
    if (!shown.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = picker.dataset.empty;
      list.append(li);
    }
  }

  async function open() {
    picker.hidden = false;
    filter.value = "";
    filter.focus();
    if (macros === null) {
      const answer = await fetch(picker.dataset.list, { credentials: "same-origin" });
      macros = answer.ok ? (await answer.json()).items : [];
    }
    draw();
  }

  function close() {
    picker.hidden = true;
    document.getElementById("reply-body").focus();
  }

  async function choose(index) {
    const macro = shown[index];
    if (!macro) return;
    const answer = await fetch(picker.dataset.render.replace("/0/", "/" + macro.id + "/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ ticket_id: Number(picker.dataset.ticket) }),
    });
    if (!answer.ok) return;
    const rendered = await answer.json();
    picker.hidden = true;
    kefuInsert(rendered.body);
    hidden.value = macro.id;
    if (note) {
      note.hidden = false;
      note.querySelector("span").textContent = macro.title;
    }
  }

  button.addEventListener("click", open);
  filter.addEventListener("input", () => { active = 0; draw(); });
  filter.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { active = Math.min(active + 1, shown.length - 1); draw(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); draw(); e.preventDefault(); }
    else if (e.key === "Enter") { choose(active); e.preventDefault(); }
    else if (e.key === "Escape") { close(); e.preventDefault(); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.altKey && (e.key === "m" || e.key === "M" || e.code === "KeyM")) { e.preventDefault(); open(); }
  });
  const clear = document.getElementById("macro-clear");
  if (clear) clear.addEventListener("click", () => { hidden.value = ""; note.hidden = true; });
});

// A toolbar link to a panel (the solution timetable) opens that panel before jumping to it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-open-panel]");
  if (!link) return;
  const panel = document.querySelector(`details[data-panel-key="${link.dataset.openPanel}"]`);
  if (panel) panel.open = true;
});

// Presence: every few seconds tell the server this ticket is open (and whether a reply is being
// typed); show who else is on it, and that the ticket changed, before a 409 says so.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("presence");
  if (!box) return;
  const form = document.getElementById("reply-form");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastTyped = 0;
  if (form) form.querySelector("textarea").addEventListener("input", () => { lastTyped = Date.now(); });
  async function beat(extra) {
    const data = new URLSearchParams({ typing: Date.now() - lastTyped < 8000 ? "1" : "0", version: box.dataset.version, ...extra });
    const answer = await fetch(box.dataset.url, {
      method: "POST", credentials: "same-origin", body: data, keepalive: !!extra,
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    });
    if (!extra && answer.ok) box.innerHTML = await answer.text();
  }
  beat();
  setInterval(beat, Number(box.dataset.every || 5000));
  window.addEventListener("pagehide", () => beat({ leave: "1" }));
});

// The queue's bulk bar: select all on the page, count the selected, keep the buttons off while
// nothing is selected; Enter in the tag box adds the tag (not the form's first button).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const all = document.getElementById("bulk-all");
  const count = document.getElementById("bulk-count");
  const boxes = () => Array.from(form.querySelectorAll("input[name=ids]"));
  function update() {
    const picked = boxes().filter((b) => b.checked);
    boxes().forEach((b) => b.closest("tr").classList.toggle("picked", b.checked));
    if (count) count.textContent = picked.length ? count.dataset.some.replace("{n}", picked.length) : count.dataset.none;
    if (all) {
      all.checked = picked.length > 0 && picked.length === boxes().length;
      all.indeterminate = picked.length > 0 && picked.length < boxes().length;
    }
    form.querySelectorAll("[data-bulk]").forEach((b) => { b.disabled = picked.length === 0; });
    const bar = form.querySelector(".bulk-bar");
    if (bar) bar.classList.toggle("active", picked.length > 0);
  }
  if (all) all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); update(); });
  form.addEventListener("change", (event) => { if (event.target.name === "ids") update(); });
  form.addEventListener("keydown", (event) => {
    // "x" on a ticket's link selects or unselects that ticket (Tab through the queue, x, x …).
    const row = event.key === "x" && event.target.matches && event.target.matches("a") && event.target.closest("tr");
    const box = row && row.querySelector("input[name=ids]");
    if (box) {
      event.preventDefault();
      box.checked = !box.checked;
      update();
      return;
    }
    const target = event.target.closest && event.target.closest("[data-enter-clicks]");
    if (target && event.key === "Enter") {
      event.preventDefault();
      const button = document.getElementById(target.dataset.enterClicks);
      if (button && !button.disabled) button.click();
    }
  });
  update();
});

// Top-bar menus: one open at a time; a click elsewhere or Escape closes them.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navmenu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.navmenu[open]").forEach((menu) => menu.removeAttribute("open"));
});
