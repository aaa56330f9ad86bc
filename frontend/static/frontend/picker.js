// Filters the service list as the resident types; without script the search button asks the server.
"use strict";
(function () {
  const input = document.getElementById("service-search");
  const count = document.getElementById("service-count");
  if (!input) return;
  const items = Array.from(document.querySelectorAll("#services li[data-search]"));
  input.addEventListener("input", () => {
    // The server's rule: any word of two letters or more, or any Chinese character, that a service mentions.
    const words = input.value.toLowerCase().trim().split(/\s+/)
      .flatMap((word) => (/[\u4e00-\u9fff]/.test(word) ? Array.from(word).filter((ch) => /[\u4e00-\u9fff]/.test(ch)) : [word]))
      .filter((word) => word.length > 1 || /[\u4e00-\u9fff]/.test(word));
    let shown = 0;
    items.forEach((item) => {
      const match = !words.length || words.some((word) => item.dataset.search.includes(word));
      item.hidden = !match;
      if (match) shown += 1;
    });
    document.querySelectorAll(".service-group").forEach((group) => {
      group.hidden = !group.querySelector("li:not([hidden])");
    });
    count.textContent = words.length ? shown + " / " + items.length : "";
  });
})();
