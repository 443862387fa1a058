// Emergency deadlines: every [data-deadline] element reads "剩余X分钟" or "已超时X分钟"
// as the server rendered it; this refreshes the text every 30 seconds. No inline script.
(function () {
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      const deadline = Date.parse(el.dataset.deadline);
      if (Number.isNaN(deadline)) return;
      const left = deadline - now;
      const overdue = left < 0;
      const minutes = Math.round(Math.abs(left) / 60000);
      el.textContent = overdue ? `已超时${minutes}分钟` : `剩余${minutes}分钟`;
      el.classList.toggle("text-bg-danger", overdue);
      el.classList.toggle("text-bg-warning", !overdue);
    });
  }
  tick();
  window.setInterval(tick, 30000);
})();
