// The ussdgw operator console: plain JavaScript over /console/api/ (docs/console.md).
// No build step, no library; the daemon's Content-Security-Policy allows
// nothing but this file and console.css.
"use strict";

const state = { csrf: "", role: "", tree: null, funnel: {}, traceAfter: 0, traceTimer: null };

const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (method === "POST") {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRF-Token"] = state.csrf;
    init.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, init);
  let data = {};
  try { data = await r.json(); } catch (e) { data = {}; }
  return { status: r.status, data };
}

// ---- login ----

function loggedIn(who) {
  state.csrf = who.csrf;
  state.role = who.role;
  $("who").textContent = `${who.user} (${who.role})`;
  $("logout").hidden = false;
  $("login-view").hidden = true;
  $("app").hidden = false;
  for (const b of document.querySelectorAll(".editor")) b.disabled = who.role !== "editor";
  loadTree();
  loadHistory();
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const r = await api("POST", "/console/api/login",
                      { user: $("login-user").value, password: $("login-password").value });
  $("login-password").value = "";
  if (r.status === 200) loggedIn(r.data);
  else $("login-error").textContent = r.data.error || `login failed (${r.status})`;
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/console/api/logout");
  location.reload();
});

// ---- tree ----

function text(t) {
  const lang = $("tree-language").value;
  return (t && (t[lang] ?? Object.values(t)[0])) || "";
}

function counts(id) {
  const f = state.funnel[id] || {};
  const n = (k) => f[k] || 0;
  return `${n("reached")} / ${n("chose")} / ${n("invalid")} / ${n("timeout")} / ${n("released")}`;
}

function nodeView(id, seen) {
  const t = state.tree;
  const n = t.byId[id];
  if (!n) return el("div", { class: "node missing" }, `(no node ${id})`);
  const head = el("summary", {},
    el("span", { class: `kind ${n.kind}` }, n.kind), " ",
    el("b", {}, n.id), " ",
    el("span", { class: "where" }, `${n.file}:${n.line}`), " ",
    el("span", { class: "funnel", title: "reached / chose / invalid / timeout / released (last day)" }, counts(n.id)));
  const d = el("details", { class: "node", "data-node": n.id }, head);
  if (seen.has(id)) {
    d.append(el("p", { class: "hint" }, "(shown above)"));
    return d;
  }
  seen.add(id);
  if (n.text) d.append(el("pre", { class: "text" }, text(n.text)));
  if (n.kind === "action") {
    const args = Object.entries(n.args || {}).map(([k, v]) => `${k}=${v}`).join(", ");
    d.append(el("p", {}, "action ", el("code", {}, n.action), args ? ` (${args})` : ""));
  }
  if (n.kind === "input") d.append(el("p", {}, `input into {${n.var}}${n.secret ? " (secret)" : ""}`));
  for (const o of n.options || []) {
    const item = el("div", { class: "item" }, el("span", { class: "key" }, o.key), " ", text(o.label),
                    o.when ? el("span", { class: "hint" }, ` (when ${o.when})`) : "");
    const chose = (state.funnel[n.id] && state.funnel[n.id]["chose:" + o.key]) || 0;
    item.append(el("span", { class: "funnel" }, ` chosen ${chose}`));
    d.append(item);
    if (o.next) d.append(nodeView(o.next, seen));
  }
  for (const k of ["next", "yes", "no"])
    if (n[k]) d.append(el("p", { class: "hint" }, `${k} →`), nodeView(n[k], seen));
  return d;
}

async function loadFunnel() {
  const r = await api("GET", "/menu/funnel");
  state.funnel = {};
  $("funnel").tBodies[0].replaceChildren(...(r.data.rows || []).map((row) =>
    el("tr", {}, el("td", {}, row.node), el("td", {}, row.event), el("td", {}, row.item || ""),
       el("td", {}, row.last_hour), el("td", {}, row.last_day), el("td", {}, row.total))));
  for (const row of (r.data.rows || [])) {
    const f = (state.funnel[row.node] ||= {});
    const k = row.event === "chose" ? "chose:" + row.item : row.event;
    f[k] = row.last_day;
    if (row.event === "chose") f.chose = (f.chose || 0) + row.last_day;
  }
}

async function loadTree() {
  const r = await api("GET", "/console/api/tree");
  if (r.status !== 200) return;
  await loadFunnel();
  const t = r.data;
  t.byId = Object.fromEntries(t.nodes.map((n) => [n.id, n]));
  state.tree = t;
  const sel = $("tree-language");
  if (!sel.options.length) for (const l of t.languages) sel.append(el("option", {}, l));
  $("tree-version").textContent = `menus version ${t.version}`;
  const seen = new Set();
  const root = nodeView(t.root, seen);
  root.open = true;
  const others = t.nodes.filter((n) => !seen.has(n.id));
  $("tree").replaceChildren(root, ...others.map((n) => nodeView(n.id, seen)));
  const body = $("codes").tBodies[0];
  // A code that spells a walk of the menus ("*111*1#" = main, then 1) but
  // leads elsewhere shadows that walk.
  const shadow = (c) => c.shadows ? `the menu walk to ${c.shadows}${c.override ? " (override: meant)" : ""}` : "";
  body.replaceChildren(...t.codes.map((c) => el("tr", {}, el("td", {}, c.code), el("td", {}, c.target),
                                                el("td", {}, shadow(c)), el("td", {}, `${c.file}:${c.line}`))));
}
$("tree-refresh").addEventListener("click", loadTree);
$("tree-language").addEventListener("change", loadTree);

// ---- phone ----

function showScreen(r) {
  if (r.status !== 200) {
    $("screen").textContent = r.data.error || `error ${r.status}`;
    $("screen-info").textContent = "";
    return;
  }
  const s = r.data;
  $("screen").textContent = s.screen;
  $("screen").classList.toggle("ended", s.end);
  $("screen-info").textContent =
    `${s.encoding}: ${s.units} of ${s.limit}` + (s.paged ? ` · page ${s.page} of ${s.pages}` : "") + (s.end ? " · dialog ended" : "");
  $("phone-actions").replaceChildren(...s.actions.map((a) => el("li", {}, `${a.action}: ${a.ok ? "ok" : a.error}`)));
  $("phone-sms").replaceChildren(...s.sms.map((m) => el("li", {}, `${m.from} → ${m.to}: ${m.text}`)));
}

let dialogOpen = false;
async function phoneSend() {
  const input = $("phone-input").value.trim();
  if (!input) return;
  $("phone-input").value = "";
  let r;
  if (!dialogOpen || /^[*#].*#$/.test(input)) {
    r = await api("POST", "/console/api/phone", {
      dial: input, msisdn: $("phone-msisdn").value.trim(), language: $("phone-language").value,
      candidate: $("phone-candidate").checked });
  } else {
    r = await api("POST", "/console/api/phone", { answer: input });
  }
  dialogOpen = r.status === 200 && !r.data.end;
  showScreen(r);
}
for (const k of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]) {
  const b = el("button", { "data-key": k }, k);
  b.addEventListener("click", () => { $("phone-input").value += k; });
  $("keypad").append(b);
}
$("phone-send").addEventListener("click", phoneSend);
$("phone-call").addEventListener("click", phoneSend);
$("phone-input").addEventListener("keydown", (ev) => { if (ev.key === "Enter") phoneSend(); });
$("phone-end").addEventListener("click", () => {
  dialogOpen = false;
  $("screen").textContent = "Dial a code, e.g. *111#";
  $("screen-info").textContent = "";
});

// ---- change ----

async function loadFile() {
  const r = await api("GET", "/console/api/menus/file?name=" + encodeURIComponent($("change-file").value));
  if (r.status === 200) {
    $("change-text").value = r.data.content;
    $("change-status").textContent = `${r.data.file} as in service (menus version ${r.data.version})`;
    $("problems").replaceChildren();
  } else {
    $("change-status").textContent = r.data.error || `error ${r.status}`;
  }
}

async function check() {
  const r = await api("POST", "/console/api/menus/check", { file: $("change-file").value, content: $("change-text").value });
  if (r.status === 200) {
    $("change-status").textContent = `${r.data.file} checks clean (${r.data.nodes} nodes): try it on the phone, then apply`;
    $("problems").replaceChildren();
    return true;
  }
  $("change-status").textContent = r.data.problems ? `${r.data.problems.length} problem(s):` : (r.data.error || `error ${r.status}`);
  $("problems").replaceChildren(...(r.data.problems || []).map((p) =>
    el("li", { class: "problem" }, el("b", {}, `${p.file}:${p.line}`), ` ${p.message}`)));
  return false;
}

async function loadHistory() {
  const r = await api("GET", "/console/api/menus/history");
  if (r.status !== 200) return;
  $("history").tBodies[0].replaceChildren(...r.data.changes.slice().reverse().map((c) =>
    el("tr", {}, el("td", {}, new Date(c.time * 1000).toLocaleString()), el("td", {}, c.user),
       el("td", {}, c.action), el("td", {}, c.file), el("td", {}, c.version))));
  $("change-rollback").disabled = state.role !== "editor" || !r.data.can_roll_back;
}

$("change-load").addEventListener("click", loadFile);
// A file from the operator's disk: its name and text go where a loaded one would.
$("change-upload").addEventListener("change", async () => {
  const f = $("change-upload").files[0];
  if (!f) return;
  $("change-file").value = f.name;
  $("change-text").value = await f.text();
  $("change-status").textContent = `${f.name} uploaded (${f.size} bytes): check it`;
  $("problems").replaceChildren();
});
$("change-check").addEventListener("click", check);
$("change-try").addEventListener("click", async () => {
  if (!(await check())) return;
  $("phone-candidate").checked = true;
  switchTab("phone");
  $("phone-input").value = "*111#";
  dialogOpen = false;
  phoneSend();
});
$("change-apply").addEventListener("click", async () => {
  const r = await api("POST", "/console/api/menus/apply");
  $("change-status").textContent = r.status === 200 ? `applied: menus version ${r.data.version} in service` : (r.data.error || `error ${r.status}`);
  $("phone-candidate").checked = false;
  loadHistory();
  loadTree();
});
$("change-rollback").addEventListener("click", async () => {
  const r = await api("POST", "/console/api/menus/rollback");
  $("change-status").textContent = r.status === 200 ? `rolled back ${r.data.file}: menus version ${r.data.version} in service` : (r.data.error || `error ${r.status}`);
  loadHistory();
  loadTree();
  if (r.status === 200) loadFile();
});

// ---- trace ----

async function pollTrace() {
  const msisdn = $("trace-msisdn").value.trim();
  const r = await api("GET", `/console/api/trace?msisdn=${encodeURIComponent(msisdn)}&after=${state.traceAfter}`);
  if (r.status !== 200) return;
  $("trace-status").textContent = r.data.tracing ? "tracing" : "not traced";
  const body = $("trace").tBodies[0];
  for (const e of r.data.events) {
    state.traceAfter = e.id;
    body.append(el("tr", { class: e.kind.replace(" ", "-") }, el("td", {}, e.id),
                   el("td", {}, new Date(e.time * 1000).toLocaleTimeString()), el("td", {}, e.kind),
                   el("td", {}, el("pre", {}, e.text))));
  }
}
$("trace-start").addEventListener("click", async () => {
  const r = await api("POST", "/console/api/trace", { msisdn: $("trace-msisdn").value.trim() });
  $("trace-status").textContent = r.status === 200 ? "tracing" : (r.data.error || `error ${r.status}`);
  if (r.status !== 200) return;
  state.traceAfter = 0;
  $("trace").tBodies[0].replaceChildren();
  clearInterval(state.traceTimer);
  state.traceTimer = setInterval(pollTrace, 1000);
});
$("trace-stop").addEventListener("click", async () => {
  await api("POST", "/console/api/trace", { msisdn: $("trace-msisdn").value.trim(), stop: true });
  clearInterval(state.traceTimer);
  $("trace-status").textContent = "stopped";
});

// ---- tabs ----

function switchTab(name) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== "tab-" + name;
  if (name === "tree") loadTree();
}
for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => switchTab(b.dataset.tab));

// A session still open (the page reloaded)?
api("GET", "/console/api/session").then((r) => { if (r.status === 200) loggedIn(r.data); });
