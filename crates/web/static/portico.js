// Asks before submitting forms marked with data-confirm (deletes). Inline handlers are not
// allowed by the Content-Security-Policy, so this lives in a file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
