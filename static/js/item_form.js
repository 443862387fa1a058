// The writer's form (templates/submissions/item_form.html): the title's live count and
// the autosave kept in this browser.
//
// Autosave keeps the form in localStorage on every input, so a closed tab, an expired
// session (the save posts to a login page and the text is gone) or a dropped connection
// loses nothing: the next time the form opens, the copy is restored into an empty form
// or offered beside a filled one. After a save succeeds the server names the copy's key
// in a cookie (submissions.views._forget_autosave) and the copy is dropped here.
// 敏感 items are not kept: their text is encrypted on the server and must not lie in
// the browser's storage in clear.
(function () {
  "use strict";
  const form = document.getElementById("item-form");
  if (!form) return;

  const PREFIX = "govinfo.autosave:";
  const COOKIE = "gi_autosaved";
  const storageKey = PREFIX + form.dataset.autosaveScope;
  const keyInput = form.querySelector("input[name=autosave_key]");
  const status = document.getElementById("autosave-status");
  const banner = document.getElementById("autosave-restore");
  const serverStatus = status ? status.textContent.trim() : "";
  // Fields that belong to the page, not to what the writer typed.
  const SKIP = new Set(["csrfmiddlewaretoken", "autosave_key", "version", "item_id", "imported_title", "imported_body", "import_choice", "docx", "do_import"]);

  // ---------------------------------------------------------------- the title's count
  const title = document.getElementById("id_title");
  let count = null;
  function nonBlank(text) {
    return Array.from(text).filter((ch) => !/\s/.test(ch)).length;
  }
  function updateCount() {
    if (!title || !count) return;
    const hint = parseInt(title.dataset.hintLength || "30", 10);
    const max = parseInt(title.dataset.maxLength || "200", 10);
    const n = nonBlank(title.value);
    const length = Array.from(title.value.trim()).length;
    let text = `${n}/${hint}字`;
    count.className = "form-text gi-title-count";
    if (length > max) {
      text += `，超过上限${max}字，请精简后再保存`;
      count.classList.add("text-danger", "fw-bold");
    } else if (n > hint) {
      text += `，超过建议的${hint}字（上限${max}字）`;
      count.classList.add("text-warning-emphasis");
    } else {
      text += `（上限${max}字）`;
    }
    count.textContent = text;
    title.setAttribute("aria-invalid", length > max ? "true" : "false");
  }
  if (title) {
    count = document.createElement("div");
    count.id = "title-count";
    count.setAttribute("aria-live", "polite");
    title.insertAdjacentElement("afterend", count);
    title.setAttribute("aria-describedby", [title.getAttribute("aria-describedby"), "title-count"].filter(Boolean).join(" "));
    title.addEventListener("input", updateCount);
    updateCount();
  }

  // ---------------------------------------------------------------- reading and filling the form
  function fields() {
    return Array.from(form.elements).filter((el) => el.name && !SKIP.has(el.name) && el.type !== "submit" && el.type !== "button" && el.type !== "file");
  }
  function snapshot() {
    const values = {};
    for (const el of fields()) {
      if (el.type === "checkbox" || el.type === "radio") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else if (el.multiple) {
        values[el.name] = Array.from(el.selectedOptions).map((o) => o.value);
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }
  function fill(values) {
    for (const el of fields()) {
      if (!(el.name in values)) continue;
      const value = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.includes(el.value);
      } else if (el.multiple) {
        for (const o of el.options) o.selected = Array.isArray(value) && value.includes(o.value);
      } else {
        el.value = value;
      }
    }
    updateCount();
    form.dispatchEvent(new Event("gi:restored", { bubbles: true }));
  }
  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  function isEmpty(values) {
    return !String(values.title || "").trim() && !String(values.body || "").trim();
  }
  function isSensitive() {
    const c = form.querySelector("[name=confidentiality]");
    return c && c.value === "sensitive";
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString("zh-CN", { hour12: false });
  }
  function day(ms) {
    const d = new Date(ms);
    const today = new Date();
    const sameDay = d.toDateString() === today.toDateString();
    return sameDay ? clock(ms) : `${d.getMonth() + 1}月${d.getDate()}日 ${clock(ms)}`;
  }
  function say(text) {
    if (status) status.textContent = [serverStatus, text].filter(Boolean).join("；");
  }

  // ---------------------------------------------------------------- storage
  function read(key) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }
  function remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* storage unavailable: nothing was kept */
    }
  }
  function randomKey() {
    const bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes); // randomUUID() needs https; intranets often serve http
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  // A save that succeeded: forget every copy with the key the server confirmed.
  const savedKey = cookie(COOKIE);
  if (savedKey) {
    try {
      for (let i = window.localStorage.length - 1; i >= 0; i--) {
        const k = window.localStorage.key(i);
        if (k && k.startsWith(PREFIX) && (read(k) || {}).key === savedKey) remove(k);
      }
    } catch (e) {
      /* storage unavailable */
    }
    document.cookie = `${COOKIE}=; max-age=0; path=/; SameSite=Lax`;
  }

  let timer = null;
  function save() {
    clearTimeout(timer);
    timer = null;
    if (window.govinfoSigningOut) return; // logout.js has just forgotten every copy
    if (isSensitive()) {
      remove(storageKey);
      say("敏感信息不在本机自动保存，请及时保存草稿");
      return;
    }
    const entry = { key: keyInput.value, savedAt: Date.now(), version: form.dataset.itemVersion || "", values: snapshot() };
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(entry));
      say(`已自动保存在本机 ${clock(entry.savedAt)}（尚未提交到系统，请点“保存草稿”）`);
    } catch (e) {
      say("本浏览器无法自动保存，请及时保存草稿");
    }
  }
  function soon() {
    if (banner && !banner.classList.contains("d-none") && banner.dataset.kind === "offer") {
      // Typing on means the writer chose the page's text; the offered copy stays until then.
      banner.classList.add("d-none");
    }
    clearTimeout(timer);
    timer = setTimeout(save, 600);
  }

  // ---------------------------------------------------------------- restoring
  function showBanner(kind, text, buttons) {
    if (!banner) return;
    banner.dataset.kind = kind;
    banner.textContent = text + " ";
    for (const [label, css, action] of buttons) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `btn btn-sm ${css} ms-1`;
      b.textContent = label;
      b.addEventListener("click", action);
      banner.appendChild(b);
    }
    banner.classList.remove("d-none");
  }
  function hideBanner() {
    if (banner) banner.classList.add("d-none");
  }

  const kept = read(storageKey);
  const now = snapshot();
  if (kept && kept.values && !same(kept.values, now) && !isEmpty(kept.values)) {
    const when = day(kept.savedAt);
    if (isEmpty(now)) {
      fill(kept.values);
      keyInput.value = kept.key || randomKey();
      showBanner("restored", `已恢复本机 ${when} 自动保存、尚未提交到系统的内容，请核对后点“保存草稿”。`, [
        ["不要这份内容", "btn-outline-secondary", () => { fill(now); remove(storageKey); hideBanner(); say(""); }],
      ]);
      say(`已自动保存在本机 ${clock(kept.savedAt)}（尚未提交到系统）`);
    } else {
      const older = kept.version && form.dataset.itemVersion && kept.version !== form.dataset.itemVersion;
      const label = String(kept.values.title || "").trim() || "（无标题）";
      showBanner(
        "offer",
        `本机有一份 ${when} 自动保存、尚未提交到系统的内容（标题：${label}）${older ? "，此后该信息已在系统中修改过" : ""}。`,
        [
          ["恢复这份内容", "btn-primary", () => { fill(kept.values); keyInput.value = kept.key || keyInput.value; hideBanner(); save(); }],
          ["丢弃", "btn-outline-secondary", () => { remove(storageKey); hideBanner(); }],
        ],
      );
    }
  }
  if (!keyInput.value) keyInput.value = randomKey();

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  // Leaving the page (closing the tab, following a link, the save itself) writes at once.
  window.addEventListener("pagehide", () => { if (timer) save(); });
  form.addEventListener("submit", () => { if (timer) save(); });
  form.dataset.autosaveReady = "1";
})();
