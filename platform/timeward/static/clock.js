// The clock button: when the employer's mode uses a location, ask the browser once, at
// the click (getCurrentPosition, never watchPosition), put the answer in the form's
// hidden fields and submit. Refused, unavailable or slow: submit without a position.
(function () {
  "use strict";
  var form = document.getElementById("clock-form");
  if (!form || form.dataset.asksPosition !== "yes" || !("geolocation" in navigator)) {
    return;
  }
  var note = document.getElementById("clock-note");
  var asked = false;
  form.addEventListener("submit", function (event) {
    if (asked) {
      return;
    }
    event.preventDefault();
    asked = true;
    if (note) {
      note.textContent = form.dataset.asking || "";
    }
    var send = function (message) {
      if (note && message) {
        note.textContent = message;
      }
      form.submit();
    };
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = String(position.coords.latitude);
        form.elements.longitude.value = String(position.coords.longitude);
        form.elements.accuracy.value = String(Math.round(position.coords.accuracy));
        send("");
      },
      function () {
        send(form.dataset.without || "");
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 }
    );
  });
})();
