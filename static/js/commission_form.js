// Commission form: "全部下级单位" ticks every unit; unticking any unit unticks it again.
(function () {
  const all = document.getElementById("id_all_targets");
  const boxes = document.querySelectorAll("input[name=targets]");
  if (!all) return;
  all.addEventListener("change", () => boxes.forEach((b) => { b.checked = all.checked; }));
  boxes.forEach((b) => b.addEventListener("change", () => { if (!b.checked) all.checked = false; }));
  all.dataset.wired = "1";
})();
