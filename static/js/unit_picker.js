// The handling-unit picker of the 批示 form: a filter box over a list of checkboxes
// (usable on a phone, unlike a Ctrl-click multi-select) and a line naming what is ticked,
// so the preselected unit stays visible however long the list is.
(function () {
  const picker = document.getElementById("unit-picker");
  if (!picker) return;
  const filter = document.getElementById("units-filter");
  const rows = Array.from(picker.querySelectorAll(".form-check[data-name]"));
  const none = document.getElementById("units-none");
  const chosen = document.getElementById("units-chosen");

  function showChosen() {
    chosen.replaceChildren(document.createTextNode("已选："));
    const ticked = rows.filter((r) => r.querySelector("input").checked);
    if (!ticked.length) chosen.append("（未选）");
    ticked.forEach((r) => {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-light border me-1";
      badge.textContent = r.dataset.name;
      chosen.append(badge);
    });
  }

  function applyFilter() {
    const q = filter.value.trim();
    let shown = 0;
    rows.forEach((r) => {
      // A ticked unit stays in view while filtering, so nothing chosen is hidden.
      const match = !q || r.dataset.name.includes(q) || r.querySelector("input").checked;
      r.hidden = !match;
      if (match) shown += 1;
    });
    none.hidden = shown > 0;
  }

  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // Enter filters; it does not send the form
  });
  picker.addEventListener("change", showChosen);
  showChosen();
  picker.dataset.wired = "1";
})();
