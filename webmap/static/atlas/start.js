/* planmap atlas, start: the layer control and the first view. Loaded last, so that every other
 * module has set itself up: the visible layers of cfg.visible are shown, and once they are drawn
 * the place of cfg.place is opened and the map is ready (`data-planmap-ready` on <body>, the
 * `planmap:ready` event on document and on the map).
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  // Basemaps by title and overlays by theme, labelled with a swatch (the control takes HTML).
  function layerControl(state) {
    var bases = {}, themes = {};
    state.cfg.basemaps.forEach(function (b) { bases[U.esc(b.title)] = state.bases[b.id]; });
    state.cfg.layers.forEach(function (def) {
      var theme = U.esc(def.theme_title);
      themes[theme] = themes[theme] || {};
      themes[theme][state.style.swatchHtml(def.style) + U.esc(def.title)] = state.overlays[def.id];
    });
    return L.control.groupedLayers(bases, themes, {collapsed: false, position: 'topright'});
  }

  Planmap.module('start', function (state) {
    var map = state.map, cfg = state.cfg;
    if (cfg.control) { layerControl(state).addTo(map); }
    // The credits the data's licences ask for (webmap.maps.base_config: the store's attributions).
    (cfg.attributions || []).forEach(function (a) {
      if (map.attributionControl) { map.attributionControl.addAttribution(U.esc(a.text)); }
    });
    var pending = (cfg.visible || []).filter(function (id) { return state.overlays[id]; })
      .map(function (id) { map.addLayer(state.overlays[id]); return state.overlays[id].pmPromise; });
    Promise.all(pending).then(function () {
      state.ready = true;
      map.fire('planmap:ready');
      if (cfg.place) { state.showPlace(cfg.place, null); }
      document.body.setAttribute('data-planmap-ready', '1');
      U.signal('planmap:ready');
    });
  });
}(window.Planmap));
