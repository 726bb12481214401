// A form marked data-busy is sent once: on submit its buttons are disabled and a note says
// what is happening, with a progress bar, until the next page arrives. The server refuses a
// second run on its own (idempotent actions); this spares the wait and the surprise.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy") || event.defaultPrevented) { return; }
    if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    // Disabled only after the browser has taken the form's data, so the pressed button's value is still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
    var text = form.getAttribute("data-busy");
    if (!text) { return; }
    var note = document.createElement("div");
    note.className = "small mt-2";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "busy");
    var words = document.createElement("div");
    words.textContent = text;
    var bar = document.createElement("progress");
    bar.className = "w-100";
    note.appendChild(words);
    note.appendChild(bar);
    form.appendChild(note);
  });
})();
