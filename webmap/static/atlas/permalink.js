/* planmap atlas, permalink: the view (layers, center, zoom, basemap, open place) in the URL.
 *
 * With cfg.permalink the page's own address follows the view (history.replaceState, other
 * parameters such as lang kept), so reloading or sharing the address shows the same view;
 * webmap.permalink parses the same parameters on the server. Links marked
 * `data-planmap-view-link="URL"` (the embed page's "open in planmap") follow the view too:
 * the path and lang of URL, with the view's parameters.
 */
(function (Planmap) {
  'use strict';

  function readable(params) { return params.toString().replace(/%2C/g, ','); }

  Planmap.module('permalink', function (state) {
    var map = state.map, cfg = state.cfg;

    // `params` (a URLSearchParams) with the current view written into it.
    function viewParams(params) {
      var c = map.getCenter();
      params = params || new URLSearchParams();
      params.set('layers', state.visibleIds().join(','));
      params.set('center', c.lat.toFixed(5) + ',' + c.lng.toFixed(5));
      params.set('zoom', String(map.getZoom()));
      params.set('basemap', state.baseId || 'vector');
      if (state.openPlace) { params.set('place', state.openPlace); } else { params.delete('place'); }
      return params;
    }

    function writePermalink() {
      if (!cfg.permalink || !state.ready) { return; }
      var params = viewParams(new URLSearchParams(window.location.search));
      var url = window.location.pathname + '?' + readable(params);
      window.history.replaceState(null, '', url);
      state.permalink = url;
    }

    function writeViewLinks() {
      if (!state.ready) { return; }
      document.querySelectorAll('a[data-planmap-view-link]').forEach(function (a) {
        var base = new URL(a.getAttribute('data-planmap-view-link'), window.location.href);
        var params = viewParams();
        if (base.searchParams.get('lang')) { params.set('lang', base.searchParams.get('lang')); }
        a.setAttribute('href', base.pathname + '?' + readable(params));
      });
    }

    function update() { writePermalink(); writeViewLinks(); }

    state.viewParams = viewParams;
    state.writePermalink = writePermalink;
    Planmap.permalink = function () { return state.permalink; };
    map.on('moveend planmap:overlays planmap:place planmap:basemap planmap:ready', update);
  });
}(window.Planmap));
