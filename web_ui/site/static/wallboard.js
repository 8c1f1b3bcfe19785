// The wallboard page: the LED board's figures and alert levels, live over server-sent events.
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
    const faults = document.getElementById("faults");
    faults.textContent = "";
    figures.faults.forEach(function (fault) {
      const item = document.createElement("span");
      item.className = "alarm";
      item.textContent = texts.fault + ": " + fault + " ";
      faults.appendChild(item);
    });
    document.getElementById("closed").hidden = !figures.closed;
  }
  const source = new EventSource(document.getElementById("board").dataset.live);
  source.addEventListener("figures", function (event) { show(JSON.parse(event.data)); });
})();
