/* planmap pages: on a plan page and a comparison page, a click on a place shows it on the page's
 * own map (its popup, the map fitted to it) instead of leaving the page. A click with a modifier
 * key, a middle click or a click on an unlocated place follows the link to the place page as
 * usual; the popup's "Details" link leads there too. A live region says what was shown, for
 * screen readers.
 *
 * Uses what the atlas scripts publish on window.Planmap.state (showPlace, map; see
 * static/atlas/core.js); loaded after them, at the end of the page.
 */
(function () {
  'use strict';

  var live = document.getElementById('pm-map-status');

  function ready() {
    var s = window.Planmap && window.Planmap.state;
    return s && s.showPlace && s.fetchPlace;
  }

  function show(link) {
    var state = window.Planmap.state, id = link.getAttribute('data-place');
    document.querySelectorAll('.pm-shown').forEach(function (a) {
      a.classList.remove('pm-shown');
      a.removeAttribute('aria-current');
    });
    link.classList.add('pm-shown');
    link.setAttribute('aria-current', 'true');
    var box = document.querySelector('.pm-side-map');
    if (box && box.getBoundingClientRect().bottom < 0) { box.scrollIntoView({block: 'nearest'}); }
    // fit the map to the place first, then open its popup, which pans itself into view
    return state.fetchPlace(id).then(function (rec) {
      var b = rec && rec.bbox;
      if (b) {
        state.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: 15, padding: [30, 30],
          animate: false});
      }
      return state.showPlace(id, null);
    }).then(function () {
      if (live) { live.textContent = live.getAttribute('data-prefix') + (link.textContent || id); }
      document.body.setAttribute('data-pm-shown', id);
    });
  }

  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-place]');
    if (!link || !link.closest('.pm-text') || link.classList.contains('pm-unlocated')) { return; }
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !ready()) { return; }
    e.preventDefault();
    show(link);
  });
}());
