// Page-wide behaviour.  No inline script anywhere (CSP): what a page needs lives here.
document.addEventListener("htmx:configRequest", function (evt) {
  // Polling requests must not keep an idle session alive (see SessionTimeoutMiddleware).
  if (evt.detail.triggeringEvent && evt.detail.triggeringEvent.type === "every") {
    evt.detail.headers["X-Chuangwen-Background"] = "1";
  }
});
document.addEventListener("htmx:responseError", function (evt) {
  if (evt.detail.xhr.status === 401) { window.location.reload(); }
});
