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
