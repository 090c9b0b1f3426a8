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
    var record = document.getElementById("pv-record");
    if (record) {
      record.value = "";
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
