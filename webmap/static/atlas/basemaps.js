/* planmap atlas, basemaps: the offline vector basemap and the online tile basemaps.
 *
 * The vector basemap (/api/basemap.geojson, always WGS-84: it is offered only with WGS-84
 * overlays) loads once, when first shown. District names are always labelled; the names of
 * rivers, roads and rail appear from cfg.styles.minor_zoom in, those of a role with its own
 * `label_zoom` (stations) from that zoom in. Tile basemaps are plain Leaflet tile
 * layers, requested only once the user picks one. Each basemap layer carries its config entry as
 * `pmBase` (id, title, crs), which switch.js reads.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  Planmap.module('basemaps', function (state) {
    var map = state.map, cfg = state.cfg, style = state.style;
    map.createPane('pmBase');
    map.getPane('pmBase').style.zIndex = 250;

    // The zoom from which a role's names are shown.
    function labelZoom(role) {
      var b = cfg.styles.basemap[role] || {};
      return b.label_zoom == null ? style.minorZoom : b.label_zoom;
    }

    function labelsOf(fc, labels, minor) {
      fc.features.forEach(function (f) {
        var p = f.properties;
        if (!p.label_at) { return; }
        var name = cfg.lang === 'en' && p.name_en ? p.name_en : p.name;
        var district = p.role === 'district' || p.role === 'haidian';
        var point = /Point$/.test(f.geometry.type);  // a station: named beside its dot
        L.tooltip({permanent: true, direction: point ? 'right' : 'center', interactive: false,
          offset: point ? [4, 0] : [0, 0],
          className: (district ? 'pm-district-label' : 'pm-minor-label pm-' + p.role) +
            (p.role === 'haidian' ? ' pm-haidian' : '')})
          .setLatLng([p.label_at[1], p.label_at[0]])
          .setContent(U.el('span', {text: name}))
          .addTo(district ? labels : minor(labelZoom(p.role)));
      });
    }

    function vectorBasemap() {
      var group = L.featureGroup();
      var labels = L.layerGroup();       // district names: always
      var byZoom = {};                   // other names, by the zoom they appear from
      var loaded = false;
      function minor(zoom) {
        byZoom[zoom] = byZoom[zoom] || L.layerGroup();
        return byZoom[zoom];
      }
      function showMinor() {
        Object.keys(byZoom).forEach(function (zoom) {
          if (map.hasLayer(group) && map.getZoom() >= Number(zoom)) {
            byZoom[zoom].addTo(map);
          } else {
            map.removeLayer(byZoom[zoom]);
          }
        });
      }
      map.on('zoomend', showMinor);
      group.on('add', function () {
        labels.addTo(map);
        showMinor();
        if (loaded) { return; }
        loaded = true;
        U.getJSON(U.withParams(cfg.api.basemap, {crs: 'wgs84'})).then(function (fc) {
          L.geoJSON(fc, {
            pane: 'pmBase', interactive: false,
            style: function (f) { return style.base(f.properties.role); },
            pointToLayer: function (f, latlng) {  // a lake or spring known only as a point
              var s = style.basePoint(f.properties.role);
              s.pane = 'pmBase';
              s.interactive = false;
              return L.circleMarker(latlng, s);
            }
          }).addTo(group);
          labelsOf(fc, labels, minor);
          showMinor();
          state.basemapDrawn = fc.features.length;
          U.signal('planmap:basemap');
        }).catch(state.report);
      });
      group.on('remove', function () {
        map.removeLayer(labels);
        Object.keys(byZoom).forEach(function (zoom) { map.removeLayer(byZoom[zoom]); });
      });
      return group;
    }

    function tileBasemap(b) {
      var layers = b.tiles.map(function (url) {
        return L.tileLayer(url, {
          subdomains: b.subdomains || 'abc', maxNativeZoom: b.max_native_zoom,
          maxZoom: map.getMaxZoom(), attribution: U.esc(b.attribution)
        });
      });
      return layers.length === 1 ? layers[0] : L.layerGroup(layers);
    }

    cfg.basemaps.forEach(function (b) {
      var layer = b.kind === 'vector' ? vectorBasemap() : tileBasemap(b);
      layer.pmBase = b;
      state.bases[b.id] = layer;
    });
  });
}(window.Planmap));
