/* planmap atlas, popups: a place's record, fetched when its popup opens.
 *
 * The popup shows the name, kind and precision, an excerpt of up to cfg.popup_passages passages
 * (around the first mention, marked; the place page has whole paragraphs) with their citations,
 * and links to the place page and the downloads of its layers. The record is fetched in the
 * current CRS, so a popup opened without a click (search, permalink) sits on the drawn shape.
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
      var node = el('div', {'class': 'pm-popup', 'data-place': rec.id}, [
        el('h3', {text: title + rec.name}),
        el('div', {'class': 'pm-popup-meta'}, [
          (cfg.kinds[rec.kind] || rec.kind),
          el('span', {'class': 'pm-badge pm-precision-' + rec.precision,
            text: cfg.precisions[rec.precision] || rec.precision})
        ])
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

    // Open the popup of a place at latlng (a click), or at its anchor (search, permalink).
    function showPlace(id, latlng) {
      return fetchPlace(id).then(function (rec) {
        var at = latlng || centreOf(rec);
        if (!at) { return rec; }
        var popup = L.popup({maxWidth: 380, minWidth: 260, autoPanPadding: [30, 30]})
          .setLatLng(at).setContent(popupNode(rec));
        popup.pmPlace = id;
        popup.openOn(map);
        state.openPlace = id;
        map.fire('planmap:place');
        return rec;
      }).catch(state.report);
    }

    map.on('popupclose', function (e) {
      if (e.popup && e.popup.pmPlace === state.openPlace) {
        state.openPlace = null;
        map.fire('planmap:place');
      }
    });

    state.fetchPlace = fetchPlace;
    state.centreOf = centreOf;
    state.showPlace = showPlace;
    Planmap.openPlace = showPlace;
  });
}(window.Planmap));
