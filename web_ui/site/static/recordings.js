// Recording players: a file that cannot be fetched or decoded says so beside the player
// instead of a silent 0:00.
"use strict";
document.querySelectorAll("audio[data-failed]").forEach(function (player) {
  player.addEventListener("error", function () {
    const note = document.createElement("span");
    note.className = "muted unplayable";
    note.textContent = player.dataset.failed;
    player.replaceWith(note);
  });
});
