/* planmap atlas, basemap switch: the first basemap, and the change of CRS a basemap brings.
 *
 * AMap (高德) tiles, and any intranet service declared GCJ-02, are drawn in GCJ-02. When the
 * chosen basemap's CRS differs from the overlays' one, every shown overlay is reloaded from the
 * API with ?crs= of the new basemap: the server does the shift (geo.crs), this script never
 * draws WGS-84 on GCJ-02 tiles, or the reverse. Hidden overlays reload when next shown
 * (layers.js compares each overlay's CRS with state.crs). An open popup is closed, since its
 * anchor was in the old CRS.
 *
 * A basemap is changed by the layer control or by state.setBasemap(id) (the tile fallback);
 * either way the change is seen as a basemap layer being added to the map, so pages without
 * a layer control (embed) behave the same.
 */
(function (Planmap) {
  'use strict';

  Planmap.module('switch', function (state) {
    var map = state.map;

    map.on('layeradd', function (e) {
      var b = e.layer.pmBase;
      if (!b || state.baseId === b.id) { return; }
      var old = state.bases[state.baseId];
      state.baseId = b.id;
      if (old && map.hasLayer(old)) { map.removeLayer(old); }
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

    state.setBasemap = function (id) {
      var layer = state.bases[id];
      if (!layer) { throw new Error('planmap: no basemap ' + id); }
      if (!map.hasLayer(layer)) { map.addLayer(layer); }
    };

    var first = state.bases[state.cfg.basemap] || state.bases.vector;
    if (first) {
      state.crs = first.pmBase.crs;
      first.addTo(map);
    }
  });
}(window.Planmap));
