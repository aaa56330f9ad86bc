// The confirmation page: copy the tracking link, or hand it to the phone's share sheet where there is one.
"use strict";
(function () {
  var copy = document.getElementById("copy-link");
  var share = document.getElementById("share-link");
  var status = document.getElementById("copy-status");
  if (copy) {
    copy.addEventListener("click", function () {
      var done = function () { status.textContent = copy.dataset.done; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(copy.dataset.link).then(done, function () { selectLink(); });
      } else {
        selectLink();
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the link stays selected */ }
      }
    });
  }
  function selectLink() {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById("tracking-link"));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.dataset.title, url: share.dataset.link }).catch(function () {});
    });
  }
})();
