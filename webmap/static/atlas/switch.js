/* planmap atlas, basemap switch: the first basemap, and the change of CRS a basemap brings.
 *
 * AMap (高德) tiles are drawn in GCJ-02. When the chosen basemap's CRS differs from the overlays'
 * one, every shown overlay is reloaded from the API with ?crs= of the new basemap: the server does
 * the shift (geo.crs), this script never draws WGS-84 on GCJ-02 tiles, or the reverse. Hidden
 * overlays reload when next shown (layers.js compares each overlay's CRS with state.crs). An open
 * popup is closed, since its anchor was in the old CRS.
 */
(function (Planmap) {
  'use strict';

  Planmap.module('switch', function (state) {
    var map = state.map;

    map.on('baselayerchange', function (e) {
      var b = e.layer.pmBase;
      if (!b) { return; }
      state.baseId = b.id;
      if (b.crs !== state.crs) {
        state.crs = b.crs;
        map.closePopup();
        Object.keys(state.overlays).forEach(function (id) {
          var g = state.overlays[id];
          if (map.hasLayer(g)) { state.load(g); }
        });
      }
      map.fire('planmap:basemap');
    });

    var first = state.bases[state.cfg.basemap] || state.bases.vector;
    if (first) {
      state.baseId = first.pmBase.id;
      state.crs = first.pmBase.crs;
      first.addTo(map);
    }
  });
}(window.Planmap));
