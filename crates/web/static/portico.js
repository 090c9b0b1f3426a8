// Asks before submitting forms marked with data-confirm (deletes). Inline handlers are not
// allowed by the Content-Security-Policy, so this lives in a file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

// A form shown again with errors: focus moves to the first field marked invalid, so keyboard
// and screen-reader users start where the problem is (the page's alert announces the rest).
document.addEventListener("DOMContentLoaded", function () {
  var first = document.querySelector("main [aria-invalid='true']");
  if (first && typeof first.focus === "function") {
    first.focus();
  }
});

// Tab configuration: a module switched to "Public (view all)" is view only, so its create,
// edit and delete boxes are switched off while public is chosen (the server ignores them too).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.name || select.name.indexOf("role.") !== 0) {
    return;
  }
  var boxes = document.querySelectorAll("[data-not-public]");
  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].getAttribute("data-not-public") === select.name) {
      boxes[i].disabled = select.value === "public";
      if (boxes[i].disabled) {
        boxes[i].checked = false;
      }
    }
  }
});

// Preview: another user type has other users, so choosing one clears the chosen record.
document.addEventListener("change", function (event) {
  if (event.target.id === "pv-type") {
    var none = document.querySelector("input[name='record'][value='']");
    if (none) {
      none.checked = true;
    }
  }
});

// On a phone the navigation folds behind the Menu button.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".menu-button");
  if (!button) {
    return;
  }
  var nav = document.getElementById(button.getAttribute("aria-controls"));
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  if (nav) {
    nav.classList.toggle("open", open);
  }
});

// "Copy" beside a read-only field (the portal's address): copies its value and says so.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentNode.querySelector(".copied");
  if (!field) {
    return;
  }
  field.select();
  var said = function (text) {
    if (status) {
      status.textContent = text;
    }
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(field.value).then(function () { said("Copied"); }, function () { said("Selected: press Ctrl+C to copy"); });
  } else {
    said("Selected: press Ctrl+C to copy");
  }
});

// Row editors (subforms): "Add a row" copies the last row blank with the next index; ↑/↓
// move a row and renumber the positions, which decide the order when the form is saved.
function renumber(tbody) {
  var rows = tbody.querySelectorAll("tr[data-row]");
  for (var i = 0; i < rows.length; i++) {
    var pos = rows[i].querySelector("td.position input");
    if (pos) {
      pos.value = String(i + 1);
    }
  }
}
document.addEventListener("click", function (event) {
  var target = event.target;
  var move = target.closest && target.closest("button[data-move]");
  if (move) {
    var row = move.closest("tr");
    var sibling = move.getAttribute("data-move") === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (sibling) {
      if (move.getAttribute("data-move") === "up") {
        row.parentNode.insertBefore(row, sibling);
      } else {
        row.parentNode.insertBefore(sibling, row);
      }
      renumber(row.parentNode);
      move.focus();
    }
    return;
  }
  var add = target.closest && target.closest("button[data-add-row]");
  if (add) {
    var tbody = add.parentNode.querySelector("tbody");
    var rows = tbody.querySelectorAll("tr[data-row]");
    if (!rows.length) {
      return;
    }
    var last = rows[rows.length - 1];
    var next = 0;
    var named = tbody.querySelectorAll("[name]");
    for (var i = 0; i < named.length; i++) {
      var m = /\[(\d+)\]/.exec(named[i].name);
      if (m) {
        next = Math.max(next, parseInt(m[1], 10) + 1);
      }
    }
    var copy = last.cloneNode(true);
    var fields = copy.querySelectorAll("[name]");
    for (var j = 0; j < fields.length; j++) {
      fields[j].name = fields[j].name.replace(/\[\d+\]/, "[" + next + "]");
      if (fields[j].type === "checkbox") {
        fields[j].checked = false;
      } else if (fields[j].tagName === "SELECT") {
        fields[j].selectedIndex = 0;
      } else {
        fields[j].value = "";
      }
      var label = fields[j].getAttribute("aria-label");
      if (label) {
        fields[j].setAttribute("aria-label", label.replace(/row \d+/, "row " + (next + 1)));
      }
    }
    tbody.appendChild(copy);
    renumber(tbody);
    var first = copy.querySelector("td:not(.position) [name]");
    if (first) {
      first.focus();
    }
  }
});
