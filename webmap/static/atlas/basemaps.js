/* planmap atlas, basemaps: the offline vector basemap and the tile basemaps (online ones a
 * site turned on, and the site's own intranet services from its settings).
 *
 * The vector basemap (/api/basemap.geojson, always WGS-84: it is offered only with WGS-84
 * overlays) loads once, when first shown. District names are always labelled; rivers, roads and
 * rail and their names appear from cfg.styles.minor_zoom in. A tile basemap is requested only
 * once the user picks one, and first asks for one tile: when that fails (no internet, the
 * intranet service is down), the map says so and goes back to the vector basemap rather than
 * showing a blank map and logging an error for every tile; if tiles start failing later with
 * none loading, the same happens. Each basemap layer carries its config entry as `pmBase` (id,
 * title, crs), which switch.js reads.
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

    // Tell the user a basemap failed and show the offline one; once per pick.
    function failed(b, group) {
      if (!map.hasLayer(group)) { return; }
      state.tileFailures = (state.tileFailures || []).concat([b.id]);
      state.setBasemap('vector');
      state.notify(U.tr(cfg.strings.tiles_failed, {name: b.title}));
      U.signal('planmap:tiles-failed', b.id);
    }

    // The URL of the tile under the map's centre, for the probe.
    function centreTile(b) {
      var z = Math.max(Math.min(map.getZoom(), b.max_native_zoom), b.min_zoom || 0);
      var p = map.project(map.getCenter(), z).divideBy(256).floor();
      return L.Util.template(b.tiles[0], {s: (b.subdomains || 'a').charAt(0), x: p.x, y: p.y, z: z,
        r: ''});
    }

    function tileBasemap(b) {
      var layers = b.tiles.map(function (url) {
        return L.tileLayer(url, {
          subdomains: b.subdomains || 'abc', maxNativeZoom: b.max_native_zoom,
          minZoom: b.min_zoom || 0, maxZoom: map.getMaxZoom(), attribution: U.esc(b.attribution)
        });
      });
      var group = L.layerGroup();
      var errors = 0, loads = 0;
      layers.forEach(function (t) {
        t.on('tileload', function () { loads += 1; errors = 0; });
        t.on('tileerror', function () {
          errors += 1;
          if (errors >= 4 && !loads) { failed(b, group); }
        });
      });
      group.on('add', function () {
        var probe = new Image();
        var url = centreTile(b);
        errors = 0;
        loads = 0;
        probe.onload = function () {
          if (map.hasLayer(group)) { layers.forEach(function (t) { group.addLayer(t); }); }
        };
        probe.onerror = function () { failed(b, group); };
        probe.src = url;
      });
      group.on('remove', function () { layers.forEach(function (t) { group.removeLayer(t); }); });
      return group;
    }

    // A message over the map (role=alert), with a button to dismiss it; a new one replaces it.
    state.notify = function (text) {
      map.getContainer().querySelectorAll('.pm-notice').forEach(function (n) { n.remove(); });
      var close = U.el('button', {type: 'button', 'class': 'pm-notice-close',
        'aria-label': cfg.strings.dismiss, text: '×'});
      var box = U.el('div', {'class': 'pm-notice', role: 'alert'}, [U.el('span', {text: text}), close]);
      close.addEventListener('click', function () { box.remove(); });
      map.getContainer().appendChild(box);
      state.notices = (state.notices || []).concat([text]);
      return box;
    };

    cfg.basemaps.forEach(function (b) {
      var layer = b.kind === 'vector' ? vectorBasemap() : tileBasemap(b);
      layer.pmBase = b;
      state.bases[b.id] = layer;
    });
  });
}(window.Planmap));
