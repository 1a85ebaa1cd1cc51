// Home page paste box. The paste goes to the lookup page through sessionStorage,
// which belongs to this tab and ends with it: never the URL, never a request.
document$.subscribe(function () {
  var form = document.getElementById("home-paste");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("home-paste-input").value;
    try {
      sessionStorage.setItem("kb-paste", text);
    } catch (error) {
      // Storage can be disabled; the lookup page then simply starts empty.
    }
    window.location.assign(form.getAttribute("action"));
  });
});
