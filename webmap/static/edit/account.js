/* planmap corrections, account: on a page that is the same for every reader (a place page may be
 * served from a cache), reveal the links this reader may use. Elements marked
 * data-pm-role="editor" (or "reviewer") are shown to a signed-in user with at least that role,
 * data-pm-role="anonymous" to a reader who is not signed in; all start hidden, so a page without
 * a script, or a viewer, sees none of them. The server checks every role again.
 */
(function () {
  'use strict';

  var ROLES = ['viewer', 'editor', 'reviewer', 'admin'];

  function reveal(me) {
    var level = me.signed_in && me.user ? ROLES.indexOf(me.user.role) : -1;
    document.querySelectorAll('[data-pm-role]').forEach(function (node) {
      var want = node.getAttribute('data-pm-role');
      node.hidden = want === 'anonymous' ? me.signed_in : level < ROLES.indexOf(want);
    });
    document.body.setAttribute('data-pm-account', me.signed_in && me.user ? me.user.role
      : 'anonymous');
  }

  fetch('/api/me', {credentials: 'same-origin', headers: {Accept: 'application/json'}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) {
      if (me && me.database) { reveal(me); }
    })
    .catch(function () { /* no account service: the page stays read-only */ });
})();
