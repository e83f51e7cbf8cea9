/* planmap atlas, search: a combobox that asks /api/places (geo.search: names, aliases, pinyin
 * and its initials, English, traditional characters, close spellings) as the user types.
 *
 * The results are a listbox: arrow keys move through them (aria-activedescendant, focus stays
 * in the box), Enter opens the chosen one (or the first located one), Esc closes the list. When
 * nothing matches, the nearest names the API suggests are listed instead, under a line that
 * says so; a status line announces the count to screen readers. Picking a result closes the
 * list, shows one of the place's layers if none is shown, and frames, highlights and opens the
 * place (state.focusPlace); Enter alone never opens a mere suggestion. Unlocated places are listed but cannot be chosen. Only the latest
 * answer is shown, however the requests come back.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('search', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    if (!cfg.search) { return; }

    function selectPlace(hit, opts) {
      if (!hit.located) { return Promise.resolve(); }
      return state.fetchPlace(hit.id).then(function (rec) {
        var layers = (rec.layers || []).filter(function (lid) { return state.overlays[lid]; });
        var visible = layers.some(function (lid) { return map.hasLayer(state.overlays[lid]); });
        if (!visible && layers.length) { map.addLayer(state.overlays[layers[0]]); }
        return state.focusPlace(hit.id, opts);
      }).catch(state.report);
    }

    var ctl = L.control({position: 'topleft'});
    ctl.onAdd = function () {
      var input = el('input', {type: 'search', id: 'pm-search-input', placeholder: S.search,
        'aria-label': S.search_label, role: 'combobox', 'aria-autocomplete': 'list',
        'aria-expanded': 'false', 'aria-controls': 'pm-search-list', autocomplete: 'off'});
      var list = el('ul', {id: 'pm-search-list', role: 'listbox', 'aria-label': S.search_label});
      var status = el('div', {'class': 'pm-search-status', role: 'status', 'aria-live': 'polite'});
      var box = el('div', {'class': 'pm-control pm-search', role: 'search'}, [input, status, list]);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var hits = [], matched = [], active = -1, timer = null, seq = 0;

      function option(h, i) {
        var sub = (cfg.kinds[h.kind] || h.kind) + (h.name_en ? ' · ' + h.name_en : '') +
          (h.match === 'fuzzy' ? ' · ' + S.fuzzy_match : '') +
          (h.located ? '' : ' · ' + cfg.precisions.unlocated);
        var li = el('li', {role: 'option', id: 'pm-search-option-' + i, 'data-place': h.id,
          'aria-selected': 'false'}, [h.name, el('span', {'class': 'pm-sub', text: sub})]);
        if (!h.located) { li.setAttribute('aria-disabled', 'true'); }
        li.addEventListener('click', function () { pick(h); });
        return li;
      }

      function setActive(i) {
        var items = list.querySelectorAll('[role=option]');
        if (!items.length) { return; }
        active = (i + items.length) % items.length;
        items.forEach(function (li, k) { li.setAttribute('aria-selected', k === active ? 'true' : 'false'); });
        input.setAttribute('aria-activedescendant', items[active].id);
        items[active].scrollIntoView({block: 'nearest'});
      }

      function close() {
        list.textContent = '';
        hits = [];
        active = -1;
        input.setAttribute('aria-expanded', 'false');
        input.removeAttribute('aria-activedescendant');
      }

      function show(q, answer) {
        close();
        matched = answer.results;
        hits = answer.results.length ? answer.results : answer.nearest;
        if (!answer.results.length) {
          status.textContent = U.tr(hits.length ? S.nearest_names : S.no_near_names, {q: q});
        } else {
          status.textContent = U.tr(S.results_count, {n: hits.length});
        }
        hits.forEach(function (h, i) { list.appendChild(option(h, i)); });
        input.setAttribute('aria-expanded', hits.length ? 'true' : 'false');
        state.searchShown = {query: q, results: answer.results, nearest: answer.nearest};
        U.signal('planmap:search', state.searchShown);
      }

      function pick(h) {
        if (!h.located) { return; }
        close();
        status.textContent = '';
        input.value = h.name;
        selectPlace(h, {focus: true});
      }

      function run() {
        var q = input.value.trim();
        var mine = ++seq;
        if (!q) { close(); status.textContent = ''; return Promise.resolve(); }
        return U.getJSON(U.withParams(cfg.api.places, {q: q, limit: 8})).then(function (r) {
          if (mine === seq) { show(q, r); }
        }).catch(state.report);
      }

      input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 200); });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          if (hits.length) { setActive(active + (e.key === 'ArrowDown' ? 1 : -1)); }
        } else if (e.key === 'Escape') {
          e.preventDefault();
          close();
          status.textContent = '';
        } else if (e.key === 'Enter') {
          e.preventDefault();
          if (active >= 0 && hits[active]) { pick(hits[active]); return; }
          clearTimeout(timer);
          run().then(function () {
            // Enter alone opens a match, never a mere suggestion for a miss
            var first = matched.filter(function (h) { return h.located; })[0];
            if (first) { pick(first); }
          });
        }
      });
      // the page's skip link lands here (a fragment link alone may not move the focus)
      document.querySelectorAll('a.pm-skip[href="#pm-search-input"]').forEach(function (a) {
        a.addEventListener('click', function (e) { e.preventDefault(); input.focus(); });
      });
      state.search = {input: input, run: run, close: close};
      return box;
    };
    ctl.addTo(map);
  });
}(window.Planmap));
