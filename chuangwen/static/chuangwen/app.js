// Page-wide behaviour.  No inline script anywhere (CSP): what a page needs lives here.
document.addEventListener("htmx:configRequest", function (evt) {
  // Polling requests must not keep an idle session alive (see SessionTimeoutMiddleware).  htmx 2
  // passes no triggering event for `every` polls, so pollers say so with data-cw-background.
  if (evt.detail.elt && evt.detail.elt.closest("[data-cw-background]")) {
    evt.detail.headers["X-Chuangwen-Background"] = "1";
  }
});
document.addEventListener("htmx:responseError", function (evt) {
  if (evt.detail.xhr.status === 401) { window.location.reload(); }
});
