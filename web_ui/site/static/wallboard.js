// The wallboard page: the LED board's figures and alert levels, and the same per queue, live
// over server-sent events; a button puts it full screen on a TV.
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("texts").textContent);
  function show(figures) {
    Object.keys(figures.fields).forEach(function (name) {
      const box = document.getElementById("fig-" + name);
      if (box === null) {
        return;
      }
      box.className = "figure level-" + figures.fields[name].level;
      box.querySelector(".value").textContent = figures.fields[name].text;
    });
    Object.keys(figures.queues).forEach(function (queue) {
      const row = document.querySelector('#queues tr[data-queue="' + CSS.escape(queue) + '"]');
      if (row === null) {
        return;
      }
      row.querySelectorAll("td[data-field]").forEach(function (cell) {
        const field = figures.queues[queue][cell.dataset.field];
        cell.className = "level-" + field.level;
        cell.textContent = field.text;
      });
    });
    const faults = document.getElementById("faults");
    faults.textContent = "";
    figures.faults.forEach(function (fault) {
      const item = document.createElement("span");
      item.className = "alarm";
      item.textContent = texts.fault + ": " + fault + " ";
      faults.appendChild(item);
    });
    document.getElementById("closed").hidden = !figures.closed;
    document.getElementById("ticker").textContent = figures.ticker;
  }
  const fullScreen = document.getElementById("full-screen");
  if (fullScreen !== null) {
    fullScreen.addEventListener("click", function () {
      document.body.classList.add("screen");
      if (document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(function () { /* kiosk browsers */ });
      }
    });
    document.addEventListener("fullscreenchange", function () {
      if (document.fullscreenElement === null) {
        document.body.classList.remove("screen");
      }
    });
  }
  const source = new EventSource(document.getElementById("board").dataset.live);
  source.addEventListener("figures", function (event) { show(JSON.parse(event.data)); });
})();
