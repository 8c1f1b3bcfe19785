// The agent desk: live state, timer and waiting callers over server-sent events; the screen
// pop (the caller's history, rendered by the server) when a call rings.
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const stateCard = document.getElementById("state-card");
  let poppedCall = "";

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return "—";
    }
    const whole = Math.max(0, Math.round(seconds));
    const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function showPop(picture) {
    if (!picture.call_id) {
      return;
    }
    if (picture.call_id === poppedCall) {
      return;
    }
    poppedCall = picture.call_id;
    const query = new URLSearchParams({
      number: picture.number, call_id: picture.call_id, name: picture.caller_name,
      waybill: picture.waybill || "",
    });
    fetch("/desk/pop?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        document.getElementById("pop").innerHTML = html;
        document.getElementById("pop-card").classList.add("ringing");
      });
  }

  function show(picture) {
    const state = picture.known ? picture.state : "logged_out";
    const loggedInPage = document.getElementById("ready") !== null;
    if ((state === "logged_out") === loggedInPage) {
      window.location.reload();  // the buttons differ: let the server draw them
      return;
    }
    stateCard.dataset.state = state;
    document.getElementById("state").textContent = texts.state[state];
    document.getElementById("timer").textContent = duration(picture.elapsed_s);
    document.getElementById("waiting").textContent = picture.waiting;
    document.getElementById("talk-warning").hidden = !picture.talk_warning;
    if (picture.known) {
      document.getElementById("calls-today").textContent = picture.calls_today;
      document.getElementById("talk-today").textContent = duration(picture.talk_s_today);
    }
    if (state === "ringing" || state === "on_call") {
      showPop(picture);
    } else if (!picture.call_id) {
      document.getElementById("pop-card").classList.remove("ringing");
    }
  }

  const source = new EventSource("/desk/live");
  source.addEventListener("desk", function (event) { show(JSON.parse(event.data)); });
})();
// quick script lookup without leaving the desk (the form still works without script)
(function () {
  const form = document.getElementById("script-lookup");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const words = document.getElementById("script-words").value;
    fetch("/scripts/lookup?" + new URLSearchParams({ q: words }).toString(),
      { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { document.getElementById("script-found").innerHTML = html; });
  });
})();
