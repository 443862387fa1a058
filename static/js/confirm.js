// Asks before an act that cannot be undone (签发, 审签并报送, 退稿 …): a form with
// data-confirm="…" is sent only after the person confirms in a dialog. The dialog is
// Bootstrap's modal from the bundle the app serves, so it traps focus, closes on Esc
// and works by keyboard; without the bundle the form is sent as before.
(function () {
  const forms = document.querySelectorAll("form[data-confirm]");
  if (!forms.length || !window.bootstrap) return;
  const el = document.createElement("div");
  el.className = "modal fade";
  el.id = "gi-confirm";
  el.tabIndex = -1;
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("aria-labelledby", "gi-confirm-title");
  el.innerHTML =
    '<div class="modal-dialog modal-dialog-centered"><div class="modal-content">' +
    '<div class="modal-header"><h2 class="modal-title fs-5" id="gi-confirm-title">请确认</h2>' +
    '<button type="button" class="btn-close" data-bs-dismiss="modal" aria-label="取消"></button></div>' +
    '<div class="modal-body"><p class="mb-0" id="gi-confirm-text"></p></div>' +
    '<div class="modal-footer"><button type="button" class="btn btn-outline-secondary" data-bs-dismiss="modal">取消</button>' +
    '<button type="button" class="btn btn-danger" id="gi-confirm-ok">确认</button></div></div></div>';
  document.body.appendChild(el);
  const modal = new window.bootstrap.Modal(el);
  const text = el.querySelector("#gi-confirm-text");
  const ok = el.querySelector("#gi-confirm-ok");
  let pending = null;
  let confirmed = false;

  forms.forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.confirmed === "1") return;
      event.preventDefault();
      if (!form.reportValidity()) return; // a required reason is asked for first
      pending = form;
      confirmed = false;
      text.textContent = form.dataset.confirm;
      ok.textContent = form.dataset.confirmOk || "确认";
      modal.show();
    });
  });
  el.addEventListener("shown.bs.modal", () => ok.focus());
  el.addEventListener("hidden.bs.modal", () => {
    // Cancelled: back to the button that asked, so a keyboard user is where they were.
    if (!confirmed && pending) {
      const button = pending.querySelector("[type=submit]");
      if (button) button.focus();
    }
  });
  ok.addEventListener("click", () => {
    if (!pending) return;
    confirmed = true;
    pending.dataset.confirmed = "1";
    ok.disabled = true; // one click, one submission
    pending.submit();
  });
})();
