// The agent's phone bar: state, timer, hold / mute countdown / pause reason, and buttons that
// are enabled only when they can act, live over server-sent events; a button posts without
// leaving the page.
"use strict";
(function () {
  const bar = document.getElementById("phone-bar");
  if (bar === null) {
    return;
  }
  const texts = JSON.parse(document.getElementById("phone-texts").textContent);
  const form = document.getElementById("phone-form");
  const refused = document.getElementById("phone-refused");
  function duration(seconds) {
    if (seconds === null) {
      return "—";
    }
    const whole = Math.max(0, Math.round(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }
  // the colleagues change with their states; the queues (drawn with the page) stay
  function showColleagues(colleagues) {
    const select = document.getElementById("phone-to");
    const group = document.getElementById("phone-to-agents");
    const chosen = select.value;
    group.textContent = "";
    colleagues.forEach(function (c) {
      const option = document.createElement("option");
      option.value = c.id;
      option.textContent = c.id + " " + c.name + " · " + texts.state[c.state];
      option.disabled = c.state !== "ready";
      group.appendChild(option);
    });
    select.value = chosen;
    if (select.selectedIndex < 0 || select.selectedOptions[0].disabled) {
      select.value = "";
    }
  }
  function show(p) {
    bar.dataset.state = p.state;
    const state = document.getElementById("phone-state");
    state.className = "state-dot state-" + p.state;
    state.textContent = texts.state[p.state];
    document.getElementById("phone-timer").textContent = duration(p.elapsed_s);
    document.getElementById("phone-on-hold").hidden = !p.on_hold;
    document.getElementById("phone-muted").hidden = p.muted_s <= 0;
    document.getElementById("phone-muted-s").textContent = String(p.muted_s);
    document.getElementById("phone-wrap-up").hidden =
      p.wrap_up_left_s === null || (p.summary_pending && p.wrap_up_left_s <= 0);
    document.getElementById("phone-wrap-up-s").textContent = String(p.wrap_up_left_s || 0);
    document.getElementById("phone-summary-pending").hidden = !p.summary_pending;
    document.getElementById("phone-pause").hidden = !p.pause_reason;
    document.getElementById("phone-pause-label").textContent =
      p.state === "paused" ? texts.pause_reason : texts.pause_after;
    document.getElementById("phone-pause-reason").textContent =
      texts.reason[p.pause_reason] || p.pause_reason;
    Object.keys(p.can).forEach(function (action) {
      document.getElementById("phone-" + action).disabled = !p.can[action];
    });
    showColleagues(p.colleagues);
    const summary = document.getElementById("summary-form");
    if (summary.hidden !== !p.summary_call_id) {
      summary.hidden = !p.summary_call_id;
      if (!summary.hidden) {
        document.getElementById("summary-text").focus();
      }
    }
  }
  function post(body) {
    return fetch("/desk/phone", {
      method: "POST", body: new URLSearchParams(body), credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (answer) {
        refused.hidden = response.ok;
        if (response.ok) {
          show(answer);
        } else {
          refused.textContent = texts.refused[answer.refused] || answer.refused;
        }
        return response.ok;
      });
    });
  }
  document.getElementById("summary-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const form = event.target;
    post(new FormData(form)).then(function (ok) {
      if (ok) {
        document.getElementById("summary-text").value = "";
      }
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = new FormData(form);
    body.set("action", event.submitter.value);
    post(body);
  });
  const source = new EventSource("/desk/phone/live");
  source.addEventListener("phone", function (event) { show(JSON.parse(event.data)); });
})();
