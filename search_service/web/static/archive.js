// Keyboard shortcut: "/" jumps to the search box, unless the user is already typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  var target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
    return;
  }
  var box = document.querySelector("[data-search-box]");
  if (box) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

// The filters are a <details> that CSS keeps open on wide screens (::details-content); a
// browser without that selector gets it opened here, on wide screens only.
(function () {
  var panel = document.querySelector(".filters-panel");
  if (!panel || !window.CSS || CSS.supports("selector(::details-content)")) {
    return;
  }
  if (window.matchMedia("(min-width: 801px)").matches) {
    panel.open = true;
  }
})();
