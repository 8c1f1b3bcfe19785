// Live countdowns to ticket deadlines. The page says the depot's clock (data-now, virtual in
// the demo); the browser's clock only measures the time since the page came.
(function () {
  "use strict";
  const texts = JSON.parse(document.getElementById("countdown-texts").textContent);
  const loaded = Date.now() / 1000;
  function clock(seconds) {
    const whole = Math.floor(Math.abs(seconds));
    const h = Math.floor(whole / 3600);
    const m = String(Math.floor((whole % 3600) / 60)).padStart(2, "0");
    const s = String(whole % 60).padStart(2, "0");
    return h + ":" + m + ":" + s;
  }
  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      const now = Number(el.dataset.now) + (Date.now() / 1000 - loaded);
      const left = Number(el.dataset.deadline) - now;
      el.textContent = (left >= 0 ? texts.left : texts.late) + " " + clock(left);
      el.classList.toggle("late", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
