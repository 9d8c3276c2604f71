// Type-ahead for the search box: completions of the word being typed from /api/suggest,
// shown as an ARIA listbox (arrows move, Enter picks and searches, Escape closes). Without
// this script the box is a plain form.
(function () {
  "use strict";
  var box = document.querySelector("[data-suggest-url]");
  if (!box || !window.fetch) {
    return;
  }
  var form = box.form;
  var url = box.getAttribute("data-suggest-url");
  var MIN_LETTERS = 2;
  var DELAY_MS = 60;
  var WORD_AT_END = /[\p{L}\p{M}'’-]+$/u;

  var focused = document.activeElement === box;
  var wrap = document.createElement("div");
  wrap.className = "suggest-wrap";
  box.parentNode.insertBefore(wrap, box);
  wrap.appendChild(box); // moving the box takes its focus (autofocus): give it back
  if (focused) {
    box.focus();
  }
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", box.getAttribute("data-suggest-label") || "");
  list.hidden = true;
  wrap.appendChild(list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");

  var active = -1;
  var timer = null;
  var asked = 0;

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var all = options();
    if (!all.length) {
      return;
    }
    active = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) {
      all[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    box.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function choose(option) {
    var word = box.value.match(WORD_AT_END);
    var head = word ? box.value.slice(0, box.value.length - word[0].length) : box.value;
    box.value = head + option.getAttribute("data-value");
    close();
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function show(prefix, suggestions) {
    list.textContent = "";
    active = -1;
    box.removeAttribute("aria-activedescendant");
    suggestions.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "q-suggestion-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-value", item.text);
      option.textContent = item.text; // text, never markup
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
        choose(option);
      });
      list.appendChild(option);
    });
    var open = suggestions.length > 0;
    list.hidden = !open;
    box.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function ask() {
    var word = box.value.match(WORD_AT_END);
    var prefix = word ? word[0].replace(/^[-'’]+/, "") : "";
    if (prefix.length < MIN_LETTERS) {
      close();
      return;
    }
    var ticket = ++asked;
    fetch(url + "?prefix=" + encodeURIComponent(prefix), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        if (ticket === asked && document.activeElement === box) {
          show(prefix, data.suggestions || []);
        }
      })
      .catch(function () {
        close();
      });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY_MS);
  });

  box.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        return;
      }
      event.preventDefault();
      highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        asked++; // an answer still on its way must not reopen the list
        close();
      }
    }
  });

  box.addEventListener("blur", function () {
    asked++;
    close();
  });
})();
