// Live wallboard and call log: server-sent events from /events.
(function () {
  "use strict";
  const MAX_ROWS = 100;
  function showFigures(figures) {
    for (const [name, field] of Object.entries(figures.fields)) {
      const box = document.getElementById("fig-" + name);
      if (!box) continue;
      box.querySelector(".value").textContent = field.text;
      box.className = "figure level-" + field.level;
    }
    const faults = document.getElementById("faults");
    faults.hidden = figures.faults.length === 0;
    faults.querySelector("span").textContent = figures.faults.join(", ");
    const ticker = document.getElementById("ticker");
    ticker.hidden = !figures.ticker;
    ticker.textContent = figures.ticker;
    const state = document.getElementById("state");
    state.className = figures.closed ? "closed" : "open";
    state.textContent = figures.closed ? "已关闭 Closed" : "运行中 Live";
  }
  function addCall(call) {
    const body = document.querySelector("#calls tbody");
    const row = document.createElement("tr");
    if (call.vip) row.className = "vip";
    for (const key of ["time", "line", "queue", "agent", "wait", "talk", "result"]) {
      const cell = document.createElement("td");
      cell.textContent = call[key];
      row.appendChild(cell);
    }
    body.prepend(row);
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  }
  const source = new EventSource("/events");
  source.addEventListener("figures", (e) => showFigures(JSON.parse(e.data)));
  source.addEventListener("call", (e) => addCall(JSON.parse(e.data)));
})();
