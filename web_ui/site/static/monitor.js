// The agent monitor (座席监控): every agent's state and call, live over server-sent events.
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("texts").textContent);
  function duration(seconds) {
    const whole = Math.max(0, Math.round(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }
  function row(cells, className) {
    const tr = document.createElement("tr");
    if (className) {
      tr.className = className;
    }
    cells.forEach(function (text) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    });
    return tr;
  }
  function show(picture) {
    const agents = document.querySelector("#agents tbody");
    agents.textContent = "";
    picture.agents.forEach(function (a) {
      let state = texts.state[a.state];
      if (a.pause_reason) {
        state += " (" + (texts.reason[a.pause_reason] || a.pause_reason) + ")";
      }
      const tr = row([a.id, a.name, state, a.position, duration(a.in_state_s),
        a.number, String(a.calls_today), duration(a.talk_s_today)], "state-" + a.state);
      tr.dataset.agent = a.id;
      agents.appendChild(tr);
    });
    const waiting = document.querySelector("#waiting tbody");
    waiting.textContent = "";
    picture.waiting.forEach(function (c) {
      waiting.appendChild(row([c.number, c.queue, duration(c.wait_s)]));
    });
  }
  const source = new EventSource("/supervisor/monitor/live");
  source.addEventListener("monitor", function (event) { show(JSON.parse(event.data)); });
})();
