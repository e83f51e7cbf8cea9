/* planmap atlas, search: a box that asks /api/places (geo.search: names, pinyin, English) as
 * the user types, and flies to the chosen place, showing one of its layers if none is shown,
 * then opens its popup. Unlocated places are listed but cannot be chosen. Enter picks the first
 * located hit. Only the latest answer is shown, however the requests come back.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('search', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    if (!cfg.search) { return; }

    function selectPlace(hit) {
      if (!hit.located) { return; }
      state.fetchPlace(hit.id).then(function (rec) {
        var layers = (rec.layers || []).filter(function (lid) { return state.overlays[lid]; });
        var visible = layers.some(function (lid) { return map.hasLayer(state.overlays[lid]); });
        if (!visible && layers.length) { map.addLayer(state.overlays[layers[0]]); }
        var b = rec.bbox;
        map.once('moveend', function () { state.showPlace(hit.id, state.centreOf(rec)); });
        map.flyToBounds(L.latLngBounds([b[1], b[0]], [b[3], b[2]]),
          {maxZoom: 15, padding: [40, 40], duration: 0.8});
      }).catch(state.report);
    }

    function hitButton(h) {
      var sub = (cfg.kinds[h.kind] || h.kind) + (h.name_en ? ' · ' + h.name_en : '') +
        (h.located ? '' : ' · ' + cfg.precisions.unlocated);
      var b = el('button', {type: 'button', 'data-place': h.id},
        [h.name, el('span', {'class': 'pm-sub', text: sub})]);
      if (!h.located) { b.disabled = true; }
      b.addEventListener('click', function () { selectPlace(h); });
      return b;
    }

    var ctl = L.control({position: 'topleft'});
    ctl.onAdd = function () {
      var input = el('input', {type: 'search', placeholder: S.search, 'aria-label': S.search});
      var list = el('ul');
      var box = el('div', {'class': 'pm-control pm-search'}, [input, list]);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var hits = [], timer = null, seq = 0;
      function show(results) {
        hits = results;
        list.textContent = '';
        if (!results.length && input.value.trim()) { list.appendChild(el('li', {text: S.no_results})); }
        results.forEach(function (h) { list.appendChild(el('li', {}, [hitButton(h)])); });
      }
      function run() {
        var q = input.value.trim();
        var mine = ++seq;
        if (!q) { show([]); return Promise.resolve(); }
        return U.getJSON(U.withParams(cfg.api.places, {q: q, limit: 8})).then(function (r) {
          if (mine === seq) { show(r.results); }
        }).catch(state.report);
      }
      input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 200); });
      input.addEventListener('keydown', function (e) {
        if (e.key !== 'Enter') { return; }
        e.preventDefault();
        clearTimeout(timer);
        run().then(function () {
          var first = hits.filter(function (h) { return h.located; })[0];
          if (first) { selectPlace(first); }
        });
      });
      return box;
    };
    ctl.addTo(map);
  });
}(window.Planmap));
