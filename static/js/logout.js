// Signing out forgets the drafts that autosave kept in this browser (item_form.js):
// on a shared office computer the next person must not find them. An expired session
// is not a sign-out, so a draft typed while the session ran out is still offered.
(function () {
  "use strict";
  const PREFIX = "govinfo.autosave:";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-logout]")) return;
    window.govinfoSigningOut = true; // so that a pending autosave does not write it back
    try {
      for (let i = window.localStorage.length - 1; i >= 0; i--) {
        const key = window.localStorage.key(i);
        if (key && key.startsWith(PREFIX)) window.localStorage.removeItem(key);
      }
    } catch (e) {
      /* storage unavailable: nothing was kept */
    }
  });
})();
