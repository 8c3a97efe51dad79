// The invitation link carries its secret after "#": the browser never sends that part to the
// server (no access log, no proxy, no referrer sees it). Put it in the form and post it, then
// drop it from the address bar and the history.
(function () {
  var secret = window.location.hash.slice(1);
  var form = document.getElementById("invitation-code");
  if (!secret || !form) {
    return;
  }
  var input = form.querySelector("input[name=code]");
  if (!input) {
    return;
  }
  input.value = decodeURIComponent(secret);
  window.history.replaceState(null, "", window.location.pathname);
  form.submit();
})();
