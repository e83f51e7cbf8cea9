/* planmap atlas, layers: the overlays, loaded lazily, and a page's own highlighted features.
 *
 * Each layer of cfg.layers is an empty Leaflet group until first shown; then its GeoJSON is
 * fetched (in the CRS of the current basemap) and drawn, so the page stays small however many
 * features the layers hold. A feature's click asks state.pick (stack.js: one place, or the list
 * of places drawn as the same area), which opens popups fetched then (popups.js). `cfg.inline`,
 * a FeatureCollection in the page itself (a place page's own place), is drawn at once in
 * cfg.styles.place.
 *
 * Shapes are not Tab stops (a map of ninety shapes would bury the controls): each has
 * tabindex=-1, so it is focused only on purpose (the data browser's "zoom to", a search pick),
 * shows its focus, and opens its popup with Enter or Space. Shapes that the filters (filters.js,
 * state.passes) leave out are taken off the map and put back when they pass again.
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
      group.pmShapes = [];
      group.on('add', function () { load(group); map.fire('planmap:overlays'); });
      group.on('remove', function () { map.fire('planmap:overlays'); });
      return group;
    }

    function bboxArea(f) {
      var b = L.geoJSON(f).getBounds();
      return b.isValid() ? (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()) : 0;
    }

    // Where a shape's popup opens when it is opened without a click (a MultiPoint, such as a
    // university's two campuses, is a group of markers: the middle of its bounds).
    function anchorOf(layer) {
      if (layer.getLatLng) return layer.getLatLng();
      return layer.getCenter ? layer.getCenter() : layer.getBounds().getCenter();
    }

    function decorate(f, layer, layerId) {
      var id = f.id || (f.properties || {}).id;
      layer.pmPlace = id;
      layer.pmLayer = layerId;
      layer.on('add', function () {
        var node = layer.getElement && layer.getElement();
        if (!node) { return; }
        node.setAttribute('data-place', id);
        node.setAttribute('tabindex', '-1');
        node.setAttribute('role', 'button');
        node.setAttribute('aria-label', (f.properties || {}).name || id);
        if (!node.pmKeys) {
          node.pmKeys = true;
          node.addEventListener('keydown', function (e) {
            if (e.key !== 'Enter' && e.key !== ' ') { return; }
            e.preventDefault();
            state.showPlace(id, anchorOf(layer), {focus: true});
          });
        }
      });
      if (layer.options) { layer.options.className = 'pm-feature pm-layer-' + layerId; }
      var name = (f.properties || {}).name;
      if (name) { layer.bindTooltip(U.el('span', {text: name}), {sticky: true}); }
      layer.on('click', function (e) { state.pick(layer, e.latlng); });
    }

    function drawInto(group, fc, layerStyle, layerId) {
      // Largest shapes first, so that smaller ones inside them stay on top and clickable.
      var features = (fc.features || []).map(function (f) { return [bboxArea(f), f]; })
        .sort(function (a, b) { return b[0] - a[0]; }).map(function (x) { return x[1]; });
      var shapes = [];
      var geo = L.geoJSON({type: 'FeatureCollection', features: features}, {
        style: function (f) { return style.feature(layerStyle, f.properties); },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, style.point(layerStyle, f.properties));
        },
        onEachFeature: function (f, layer) { decorate(f, layer, layerId); shapes.push(layer); }
      }).addTo(group);
      group.pmGeo = geo;
      group.pmShapes = shapes;
      return geo;
    }

    // Put each shape of a drawn overlay on or off the map as the filters say.
    function applyFilter(group) {
      if (!group.pmGeo) { return; }
      group.pmShapes.forEach(function (s) {
        var pass = !state.passes || state.passes(s.feature.properties);
        if (pass && !group.pmGeo.hasLayer(s)) { group.pmGeo.addLayer(s); }
        if (!pass && group.pmGeo.hasLayer(s)) { group.pmGeo.removeLayer(s); }
      });
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
        applyFilter(group);
        group.pmCrs = crs;
        group.pmLoading = null;
        state.drawn[def.id] = fc.features.length;
        if (cfg.fit && fc.features.length && !state.fitted) {
          state.fitted = true;
          fitTo(group);
        }
        map.fire('planmap:drawn', {id: def.id});
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
      // at once: an animated frame still running would undo a place the user picks meanwhile
      map.fitBounds(near || group.getBounds(), {maxZoom: 15, padding: [20, 20], animate: false});
    }

    state.load = load;
    state.anchorOf = anchorOf;
    state.visibleIds = function () {
      return cfg.layers.filter(function (d) { return map.hasLayer(state.overlays[d.id]); })
        .map(function (d) { return d.id; });
    };
    // The shapes on the map now: of shown overlays, passing the filters.
    state.shapes = function () {
      var out = [];
      state.visibleIds().forEach(function (id) {
        var g = state.overlays[id];
        g.pmShapes.forEach(function (s) { if (g.pmGeo && g.pmGeo.hasLayer(s)) { out.push(s); } });
      });
      return out;
    };
    state.shapesOf = function (placeId) {
      return state.shapes().filter(function (s) { return s.pmPlace === placeId; });
    };

    cfg.layers.forEach(function (def) { state.overlays[def.id] = overlayFor(def); });
    map.on('planmap:filter', function () {
      Object.keys(state.overlays).forEach(function (id) { applyFilter(state.overlays[id]); });
    });

    if (cfg.inline) {
      var inline = L.featureGroup().addTo(map);
      drawInto(inline, cfg.inline, style.place, 'inline');
      state.drawn.inline = cfg.inline.features.length;
      if (cfg.fit && cfg.inline.features.length) { fitTo(inline); }
    }
  });
}(window.Planmap));
