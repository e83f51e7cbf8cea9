/* planmap atlas, layers: the overlays, loaded lazily, and a page's own highlighted features.
 *
 * Each layer of cfg.layers is an empty Leaflet group until first shown; then its GeoJSON is
 * fetched (in the CRS of the current basemap) and drawn, so the page stays small however many
 * features the layers hold. A feature's click opens its popup (popups.js), which fetches the
 * place record then. `cfg.inline`, a FeatureCollection in the page itself (a place page's own
 * place), is drawn at once in cfg.styles.place.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  Planmap.module('layers', function (state) {
    var map = state.map, cfg = state.cfg, style = state.style;

    function overlayFor(def) {
      var group = L.featureGroup();
      group.pmDef = def;
      group.pmCrs = null;
      group.on('add', function () { load(group); map.fire('planmap:overlays'); });
      group.on('remove', function () { map.fire('planmap:overlays'); });
      return group;
    }

    function bboxArea(f) {
      var b = L.geoJSON(f).getBounds();
      return b.isValid() ? (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()) : 0;
    }

    function decorate(f, layer, layerId) {
      var id = f.id || (f.properties || {}).id;
      layer.pmPlace = id;
      layer.on('add', function () {
        var node = layer.getElement && layer.getElement();
        if (node) { node.setAttribute('data-place', id); }
      });
      if (layer.options) { layer.options.className = 'pm-feature pm-layer-' + layerId; }
      var name = (f.properties || {}).name;
      if (name) { layer.bindTooltip(U.el('span', {text: name}), {sticky: true}); }
      layer.on('click', function (e) { state.showPlace(id, e.latlng); });
    }

    function drawInto(group, fc, layerStyle, layerId) {
      // Largest shapes first, so that smaller ones inside them stay on top and clickable.
      var features = (fc.features || []).map(function (f) { return [bboxArea(f), f]; })
        .sort(function (a, b) { return b[0] - a[0]; }).map(function (x) { return x[1]; });
      return L.geoJSON({type: 'FeatureCollection', features: features}, {
        style: function (f) { return style.feature(layerStyle, f.properties); },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, style.point(layerStyle, f.properties));
        },
        onEachFeature: function (f, layer) { decorate(f, layer, layerId); }
      }).addTo(group);
    }

    // Fetch and draw a shown overlay unless it is drawn (or on its way) in the current CRS. A
    // response that comes back after the CRS changed again is dropped.
    function load(group) {
      var def = group.pmDef;
      if (group.pmCrs === state.crs || group.pmLoading === state.crs) { return group.pmPromise; }
      var crs = state.crs;
      group.pmLoading = crs;
      group.pmPromise = U.getJSON(U.withParams(def.url, {crs: crs})).then(function (fc) {
        if (state.crs !== crs) { return; }
        group.clearLayers();
        drawInto(group, fc, def.style, def.id);
        group.pmCrs = crs;
        group.pmLoading = null;
        state.drawn[def.id] = fc.features.length;
        if (cfg.fit && fc.features.length && !state.fitted) {
          state.fitted = true;
          fitTo(group);
        }
        U.signal('planmap:layer', def.id);
      }).catch(function (err) { group.pmLoading = null; state.report(err); });
      return group.pmPromise;
    }

    // Fit to the features inside home (Beijing) when there are any: a plan that also names
    // Shanghai or Germany should still open on Haidian; the far ones are a zoom-out away.
    function fitTo(group) {
      var home = cfg.home_bounds ? L.latLngBounds(cfg.home_bounds) : null;
      var near = null;
      group.eachLayer(function (geo) {
        (geo.eachLayer ? geo : L.featureGroup([geo])).eachLayer(function (f) {
          var b = f.getBounds ? f.getBounds() : L.latLngBounds([f.getLatLng()]);
          if (!home || home.contains(b)) {
            near = near ? near.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
          }
        });
      });
      map.fitBounds(near || group.getBounds(), {maxZoom: 15, padding: [20, 20]});
    }

    state.load = load;
    state.visibleIds = function () {
      return cfg.layers.filter(function (d) { return map.hasLayer(state.overlays[d.id]); })
        .map(function (d) { return d.id; });
    };

    cfg.layers.forEach(function (def) { state.overlays[def.id] = overlayFor(def); });

    if (cfg.inline) {
      var inline = L.featureGroup().addTo(map);
      drawInto(inline, cfg.inline, style.place, 'inline');
      state.drawn.inline = cfg.inline.features.length;
      if (cfg.fit && cfg.inline.features.length) { fitTo(inline); }
    }
  });
}(window.Planmap));
