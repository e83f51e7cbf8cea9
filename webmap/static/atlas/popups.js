/* planmap atlas, popups: a place's record, fetched when its popup opens.
 *
 * The popup shows the name, kind and precision, how exact its position is in words of the UI
 * language (accuracy_zh / accuracy_en of the record), an excerpt of up to cfg.popup_passages
 * passages (around the first mention, marked; the place page has whole paragraphs) with their
 * citations, and links to the place page and the downloads of its layers. The record is fetched
 * in the current CRS, so a popup opened without a click (search, permalink) sits on the drawn
 * shape. Popups are never wider than the map leaves room for (phones).
 *
 * focusPlace(id) is what a search pick and a `?place=` link do: draw the place highlighted over
 * its layers, open its popup on the place's top edge and frame the place under the popup (a
 * 400 m place fills a good part of the map); with
 * {focus: true} the keyboard moves into the popup, so its links are the next Tab stops.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  function passageNode(p) {
    var text = p.text || '';
    var marks = (p.mentions || []).slice().sort(function (a, b) { return a[0] - b[0]; });
    var from = 0, to = text.length;
    if (marks.length && text.length > 160) {
      from = Math.max(0, marks[0][0] - 60);
      to = Math.min(text.length, marks[0][1] + 90);
    } else if (text.length > 160) {
      to = 160;  // excerpts stay short: a popup has no scrolling box inside it
    }
    var quote = el('blockquote');
    if (from > 0) { quote.appendChild(document.createTextNode('…')); }
    var pos = from;
    marks.forEach(function (m) {
      if (m[0] < pos || m[1] > to) { return; }
      quote.appendChild(document.createTextNode(text.slice(pos, m[0])));
      quote.appendChild(el('mark', {text: text.slice(m[0], m[1])}));
      pos = m[1];
    });
    quote.appendChild(document.createTextNode(text.slice(pos, to) + (to < text.length ? '…' : '')));
    return el('div', {'class': 'pm-excerpt'}, [quote, el('cite', {text: p.citation || ''})]);
  }

  Planmap.module('popups', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;

    function links(rec, passages) {
      var q = cfg.lang === 'en' ? '?lang=en' : '';
      var more = passages.length > cfg.popup_passages ? ' (' + passages.length + ')' : '';
      var box = el('div', {'class': 'pm-links'}, [
        el('a', {href: U.fill(cfg.api.place_page, {ID: encodeURIComponent(rec.id)}) + q,
          text: S.more + more})
      ]);
      (rec.layers || []).filter(function (lid) { return state.overlays[lid]; }).slice(0, 2)
        .forEach(function (lid) {
          box.appendChild(el('a', {
            href: U.fill(cfg.api.layer_page, {ID: encodeURIComponent(lid)}) + q + '#downloads',
            text: S.downloads + ' · ' + state.overlays[lid].pmDef.title
          }));
        });
      return box;
    }

    function popupNode(rec) {
      var title = cfg.lang === 'en' && rec.name_en ? rec.name_en + ' ' : '';
      var accuracy = rec['accuracy_' + cfg.lang];
      var node = el('div', {'class': 'pm-popup', 'data-place': rec.id}, [
        el('h3', {text: title + rec.name, tabindex: '-1'}),
        el('div', {'class': 'pm-popup-meta'}, [
          (cfg.kinds[rec.kind] || rec.kind),
          el('span', {'class': 'pm-badge pm-precision-' + rec.precision,
            text: cfg.precisions[rec.precision] || rec.precision})
        ]),
        accuracy ? el('p', {'class': 'pm-accuracy'}, [
          el('span', {'class': 'pm-accuracy-label', text: S.accuracy + '：'}), accuracy]) : null
      ]);
      var passages = rec.passages || [];
      if (!passages.length) { node.appendChild(el('p', {text: S.no_passages})); }
      passages.slice(0, cfg.popup_passages).forEach(function (p) { node.appendChild(passageNode(p)); });
      node.appendChild(links(rec, passages));
      return node;
    }

    function fetchPlace(id) {
      return U.getJSON(U.withParams(U.fill(cfg.api.place, {ID: encodeURIComponent(id)}),
        {crs: state.crs}));
    }

    function centreOf(rec) {
      if (rec.anchor) { return L.latLng(rec.anchor[1], rec.anchor[0]); }
      var b = rec.bbox;
      return b ? L.latLng((b[1] + b[3]) / 2, (b[0] + b[2]) / 2) : null;
    }

    function popupOptions() {
      var size = map.getSize();
      var width = Math.max(160, Math.min(cfg.styles.popup_max_width, size.x - 50));
      // taller content scrolls inside the popup (its links keep it reachable by keyboard)
      return {maxWidth: width, minWidth: Math.min(260, width), autoPanPadding: [20, 20],
        maxHeight: Math.max(160, Math.round(size.y * (U.small(state) ? 0.4 : 0.55)))};
    }

    function openPopup(rec, at, opts) {
      var options = popupOptions();
      if (opts && opts.autoPan === false) { options.autoPan = false; }
      var popup = L.popup(options).setLatLng(at).setContent(popupNode(rec));
      popup.pmPlace = rec.id;
      popup.openOn(map);
      state.openPlace = rec.id;
      map.fire('planmap:place');
      if (opts && opts.focus) { popup.getElement().querySelector('h3').focus(); }
      return popup;
    }

    // Open the popup of a place at latlng (a click), or at its anchor (search, permalink).
    function showPlace(id, latlng, opts) {
      return fetchPlace(id).then(function (rec) {
        var at = latlng || centreOf(rec);
        if (at) { openPopup(rec, at, opts); }
        return rec;
      }).catch(state.report);
    }

    var highlight = state.highlight = L.featureGroup().addTo(map);

    // How far down the map the controls of its top corners reach.
    function controlsBottom() {
      var top = map.getContainer().getBoundingClientRect().top, bottom = 0;
      map.getContainer().querySelectorAll('.leaflet-top .leaflet-control').forEach(function (c) {
        bottom = Math.max(bottom, c.getBoundingClientRect().bottom - top);
      });
      return bottom;
    }

    // Frame a place, draw it highlighted, open its popup once the map has moved there.
    function focusPlace(id, opts) {
      return fetchPlace(id).then(function (rec) {
        highlight.clearLayers();
        if (!rec.geometry) { return rec; }
        L.geoJSON(rec.geometry, {
          interactive: false, className: 'pm-highlight',
          style: function () {
            var p = state.style.place;
            return {color: p.color, fillColor: p.fill_color, fillOpacity: p.fill_opacity,
              weight: p.weight};
          },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, {radius: cfg.styles.point.radius + 4,
              className: 'pm-highlight', interactive: false});
          }
        }).addTo(highlight);
        state.highlighted = id;
        // The popup opens on the top edge of the place, and the map frames the place below it,
        // so that neither hides the other.
        var b = rec.bbox, bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        var popup = openPopup(rec, L.latLng(b[3], (b[0] + b[2]) / 2),
          L.extend({}, opts, {autoPan: false}));
        // on a phone the popup spans the map's width, so it goes below the top controls
        var above = Math.min((U.small(state) ? controlsBottom() : 0) +
          popup.getElement().offsetHeight + 30, map.getSize().y * 0.75);
        map.fitBounds(bounds, {maxZoom: cfg.styles.fit_max_zoom, animate: false,
          paddingTopLeft: [30, above], paddingBottomRight: [30, 30]});
        return rec;
      }).catch(state.report);
    }

    map.on('popupclose', function (e) {
      if (e.popup && e.popup.pmPlace === state.highlighted) {
        highlight.clearLayers();
        state.highlighted = null;
      }
      if (e.popup && e.popup.pmPlace === state.openPlace) {
        state.openPlace = null;
        map.fire('planmap:place');
      }
    });
    map.on('planmap:basemap', function () { highlight.clearLayers(); state.highlighted = null; });

    state.fetchPlace = fetchPlace;
    state.focusPlace = focusPlace;
    state.popupOptions = popupOptions;
    state.centreOf = centreOf;
    state.showPlace = showPlace;
    Planmap.openPlace = showPlace;
  });
}(window.Planmap));
