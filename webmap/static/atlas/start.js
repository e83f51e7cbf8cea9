/* planmap atlas, start: the first view. Loaded last, so that every other module has set itself
 * up: the visible layers of cfg.visible are shown, and once they are drawn the place of
 * cfg.place is opened (framed and highlighted when the link names no view: cfg.fit_place) and
 * the map is ready (`data-planmap-ready` on <body>, the `planmap:ready` event on document and
 * on the map).
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  Planmap.module('start', function (state) {
    var map = state.map, cfg = state.cfg;
    var pending = (cfg.visible || []).filter(function (id) { return state.overlays[id]; })
      .map(function (id) { map.addLayer(state.overlays[id]); return state.overlays[id].pmPromise; });
    Promise.all(pending).then(function () {
      state.ready = true;
      map.fire('planmap:ready');
      if (!cfg.place) { return null; }
      return cfg.fit_place ? state.focusPlace(cfg.place) : state.showPlace(cfg.place, null);
    }).then(function () {
      document.body.setAttribute('data-planmap-ready', '1');
      U.signal('planmap:ready');
    });
  });
}(window.Planmap));
