/* planmap atlas, browser: a table of the places in view, as uMap's data browser.
 *
 * The panel's "places in view" section lists every shown place whose shape reaches into the
 * map's view (each place once: name, kind, precision, how often the plans name it), up to
 * cfg.styles.browser_rows. Column headers are buttons that sort (aria-sort says how); each row's "zoom to" frames the
 * place and focuses its shape, so Enter then opens its popup. The table follows the map while
 * the section is open.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('browser', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    if (!cfg.control) { return; }
    var limit = cfg.styles.browser_rows;
    var columns = [
      {key: 'name', title: S.name, value: function (r) { return r.name; }},
      {key: 'kind', title: S.kind, value: function (r) { return cfg.kinds[r.kind] || r.kind; }},
      {key: 'precision', title: S.precision,
        value: function (r) { return cfg.precisions[r.precision] || r.precision; }},
      {key: 'mentions', title: S.mentions, value: function (r) { return r.mentions; }}
    ];
    var sort = {key: 'mentions', dir: -1};
    var count = el('p', {'class': 'pm-browser-count', role: 'status'});
    var head = el('tr');
    var rowsBody = el('tbody');
    var table = el('table', {'class': 'pm-browser-table'}, [
      el('caption', {'class': 'pm-visually-hidden', text: S.in_view}), el('thead', {}, [head]),
      rowsBody]);
    var section = state.section(S.in_view, el('div', {'class': 'pm-browser'}, [count, table]),
      false, 'pm-section-browser');

    function rows() {
      var view = map.getBounds(), seen = {}, out = [];
      state.shapes().forEach(function (s) {
        var b = s.getBounds ? s.getBounds() : L.latLngBounds([s.getLatLng()]);
        if (seen[s.pmPlace] || !view.intersects(b)) { return; }
        seen[s.pmPlace] = true;
        var p = s.feature.properties;
        out.push({id: s.pmPlace, shape: s, name: cfg.lang === 'en' && p.name_en ? p.name_en : p.name,
          kind: p.kind, precision: p.precision, mentions: p.mention_count || 0});
      });
      return out;
    }

    function compare(a, b) {
      var col = columns.filter(function (c) { return c.key === sort.key; })[0];
      var x = col.value(a), y = col.value(b);
      var d = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), cfg.lang === 'en' ? 'en' : 'zh');
      return sort.dir * d || String(a.name).localeCompare(String(b.name));
    }

    function zoomTo(r) {
      var s = r.shape;
      var b = s.getBounds ? s.getBounds() : L.latLngBounds([s.getLatLng()]);
      map.fitBounds(b, {maxZoom: cfg.styles.fit_max_zoom, padding: [40, 40], animate: false});
      var node = s.getElement && s.getElement();
      if (node) { node.focus(); }
    }

    function header() {
      head.textContent = '';
      columns.forEach(function (c) {
        var b = el('button', {type: 'button', title: S.sort_by, text: c.title});
        b.addEventListener('click', function () {
          sort = {key: c.key, dir: sort.key === c.key ? -sort.dir : (c.key === 'mentions' ? -1 : 1)};
          update();
        });
        var th = el('th', {scope: 'col', 'data-key': c.key}, [b]);
        th.setAttribute('aria-sort', sort.key !== c.key ? 'none' : sort.dir > 0 ? 'ascending' : 'descending');
        head.appendChild(th);
      });
      head.appendChild(el('th', {scope: 'col'}, [el('span', {'class': 'pm-visually-hidden', text: S.zoom_to})]));
    }

    function update() {
      if (!section.open) { return; }
      header();
      var all = rows().sort(compare);
      rowsBody.textContent = '';
      all.slice(0, limit).forEach(function (r) {
        var go = el('button', {type: 'button', 'class': 'pm-zoom-to', 'data-place': r.id,
          'aria-label': S.zoom_to + ' ' + r.name, text: S.zoom_to});
        go.addEventListener('click', function () { zoomTo(r); });
        rowsBody.appendChild(el('tr', {'data-place': r.id}, columns.map(function (c) {
          return el('td', {text: String(c.value(r))});
        }).concat([el('td', {}, [go])])));
      });
      count.textContent = U.tr(S.in_view_count, {n: all.length}) +
        (all.length > limit ? ' · ' + U.tr(S.in_view_more, {n: limit}) : '');
      state.browserRows = all.length;
    }

    section.addEventListener('toggle', update);
    map.on('moveend planmap:filter planmap:drawn planmap:overlays', update);
    state.browser = {update: update};
  });
}(window.Planmap));
