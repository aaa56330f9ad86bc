// Every page: install the service worker, so forms work offline and queued requests are kept.
"use strict";
if ("serviceWorker" in navigator && document.body.dataset.swUrl) {
  navigator.serviceWorker.register(document.body.dataset.swUrl, { scope: "/" }).catch(() => {});
}
