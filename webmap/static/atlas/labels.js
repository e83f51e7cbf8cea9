/* planmap atlas, labels: the names of shown places on the map, from a zoom where they fit.
 *
 * From cfg.styles.label_zoom in, each shape in view gets its name when the name fits it (an
 * area at least as wide as its name, a line at least as long; points always) and overlaps no
 * name already placed, no basemap name and no control; the places the plans name most are placed first. Names are
 * laid out again after every move, zoom, filter and layer change, in a pane above the shapes
 * that takes no clicks. Text goes in with textContent.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util;

  Planmap.module('labels', function (state) {
    var map = state.map, conf = state.cfg.styles;
    map.createPane('pmLabels');
    var pane = map.getPane('pmLabels');
    pane.style.zIndex = 640;
    pane.style.pointerEvents = 'none';
    var canvas = document.createElement('canvas').getContext('2d');
    canvas.font = conf.label_font;
    var gap = conf.label_gap;
    state.labelled = [];

    function name(s) {
      var p = s.feature.properties || {};
      return state.cfg.lang === 'en' && p.name_en ? p.name_en : p.name;
    }

    // The size a shape offers its name on screen: its bounding box, or a line's length.
    function room(s) {
      if (s.getLatLng) { return null; }
      var b = s.getBounds();
      var a = map.latLngToContainerPoint(b.getNorthWest());
      var c = map.latLngToContainerPoint(b.getSouthEast());
      return {w: Math.abs(c.x - a.x), h: Math.abs(c.y - a.y), line: !s.getLatLngs ||
        !(s instanceof L.Polygon)};
    }

    function fits(s, w, h) {
      var r = room(s);
      if (!r) { return true; }
      return r.line ? Math.max(r.w, r.h) >= w : r.w >= w && r.h >= h;
    }

    function overlaps(box, placed) {
      return placed.some(function (o) {
        return box.x < o.x + o.w + gap && o.x < box.x + box.w + gap &&
          box.y < o.y + o.h + gap && o.y < box.y + box.h + gap;
      });
    }

    // The boxes of the map's controls (panel, search, legend…) and of the basemap's own names:
    // no name goes over them.
    function controls() {
      var origin = map.getContainer().getBoundingClientRect();
      var taken = '.leaflet-control, .leaflet-tooltip.pm-district-label, .leaflet-tooltip.pm-minor-label';
      return Array.prototype.map.call(map.getContainer().querySelectorAll(taken),
        function (c) {
          var r = c.getBoundingClientRect();
          return {x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height};
        });
    }

    function layout() {
      pane.textContent = '';
      state.labelled = [];
      if (map.getZoom() < conf.label_zoom) { return; }
      var size = map.getSize(), view = map.getBounds(), placed = controls();
      var height = parseInt(conf.label_font, 10) + 4;
      var shapes = state.shapes().filter(function (s) {
        var b = s.getBounds ? s.getBounds() : L.latLngBounds([s.getLatLng()]);
        return name(s) && view.intersects(b);
      }).sort(function (a, b) {
        return (b.feature.properties.mention_count || 0) - (a.feature.properties.mention_count || 0);
      });
      var seen = {};
      shapes.forEach(function (s) {
        if (seen[s.pmPlace]) { return; }
        var text = name(s), w = Math.ceil(canvas.measureText(text).width) + 6;
        if (!fits(s, w, height)) { return; }
        var at = map.latLngToContainerPoint(state.anchorOf(s));
        var dy = s.getLatLng ? -height - 4 : -height / 2;
        var box = {x: at.x - w / 2, y: at.y + dy, w: w, h: height};
        if (box.x < 0 || box.y < 0 || box.x + w > size.x || box.y + height > size.y ||
            overlaps(box, placed)) { return; }
        placed.push(box);
        seen[s.pmPlace] = true;
        var node = U.el('div', {'class': 'pm-feature-label', 'data-place': s.pmPlace,
          'aria-hidden': 'true', text: text});
        var layerPoint = map.containerPointToLayerPoint(L.point(box.x, box.y));
        L.DomUtil.setPosition(node, layerPoint);
        pane.appendChild(node);
        state.labelled.push(s.pmPlace);
      });
    }

    map.on('zoomstart', function () { pane.textContent = ''; });
    map.on('moveend planmap:filter planmap:drawn planmap:overlays planmap:ready', layout);
  });
}(window.Planmap));
