// The agent monitor (座席监控): every agent's state, colour, time in state and call, live over
// server-sent events; each row's buttons are enabled only in the states they can act in.
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("texts").textContent);
  function duration(seconds) {
    if (seconds === null) {
      return "—";
    }
    const whole = Math.max(0, Math.round(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }
  function showAgent(tr, a) {
    let state = texts.state[a.state];
    if (a.pause_reason) {
      state += " (" + (texts.reason[a.pause_reason] || a.pause_reason) + ")";
    }
    if (a.over_time) {
      state += " · " + texts.over_time;
    }
    if (a.phone_down) {
      state += " · " + texts.phone_down;
    }
    tr.dataset.state = a.state;
    tr.className = "state-" + a.state + (a.over_time ? " over-time" : "") +
      (a.phone_down ? " phone-down" : "");
    tr.querySelector(".state").textContent = state;
    tr.querySelector(".position").textContent = a.position;
    tr.querySelector(".in-state").textContent = duration(a.in_state_s);
    tr.querySelector(".number").textContent = a.number;
    tr.querySelector(".calls").textContent = String(a.calls_today);
    tr.querySelector(".talk").textContent = duration(a.talk_s_today);
    tr.querySelectorAll("button[data-needs]").forEach(function (button) {
      button.disabled = button.dataset.needs.split(" ").indexOf(a.state) < 0;
    });
  }
  function show(picture) {
    picture.agents.forEach(function (a) {
      const tr = document.querySelector('#agents tr[data-agent="' + CSS.escape(a.id) + '"]');
      if (tr === null) {
        window.location.reload(); // an agent was added: the rows and their buttons come anew
        return;
      }
      showAgent(tr, a);
    });
    const waiting = document.querySelector("#waiting tbody");
    waiting.textContent = "";
    picture.waiting.forEach(function (c) {
      const tr = document.createElement("tr");
      [c.number, texts.queues[c.queue] || c.queue, duration(c.wait_s)].forEach(function (text) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      waiting.appendChild(tr);
    });
  }
  const source = new EventSource("/supervisor/monitor/live");
  source.addEventListener("monitor", function (event) { show(JSON.parse(event.data)); });
})();
