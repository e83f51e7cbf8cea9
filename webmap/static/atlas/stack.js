/* planmap atlas, stack: a click where several places are drawn as one area lists them all.
 *
 * A place known only by the area it lies in is drawn as that area (outline only), so twenty
 * parks of 科学城北区 share its outline, and a click there would otherwise open one of them at
 * random. state.pick(shape, latlng) looks for every shown shape with the same outline (the same
 * bounds and vertex count) as the one clicked: one → its popup; several → a popup listing each
 * place (name, kind, precision) as a button that opens that place's popup.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  function outline(s) {
    if (s.getLatLng) { return 'p' + s.getLatLng().toString(); }
    var count = 0;
    (function walk(x) {
      if (Array.isArray(x)) { x.forEach(walk); } else { count += 1; }
    }(s.getLatLngs()));
    return s.getBounds().toBBoxString() + '#' + count;
  }

  Planmap.module('stack', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;

    // Every shown place drawn with the outline of `shape`, each place once, the area's own
    // place (not area-only) first, then by name.
    function stackOf(shape) {
      var key = outline(shape), seen = {}, out = [];
      state.shapes().forEach(function (s) {
        if (seen[s.pmPlace] || outline(s) !== key) { return; }
        seen[s.pmPlace] = true;
        out.push(s);
      });
      if (!seen[shape.pmPlace]) { out.push(shape); }
      var looks = cfg.styles.precision;
      function shared(s) { return (looks[s.feature.properties.precision] || {}).outline_only ? 1 : 0; }
      return out.sort(function (a, b) {
        return shared(a) - shared(b) ||
          String(a.feature.properties.name).localeCompare(String(b.feature.properties.name), 'zh');
      });
    }

    function listNode(shapes, at) {
      var items = shapes.map(function (s) {
        var p = s.feature.properties;
        var b = el('button', {type: 'button', 'data-place': s.pmPlace}, [
          (cfg.lang === 'en' && p.name_en ? p.name_en + ' · ' : '') + p.name,
          el('span', {'class': 'pm-sub', text: (cfg.kinds[p.kind] || p.kind) + ' · ' +
            (cfg.precisions[p.precision] || p.precision)})
        ]);
        b.addEventListener('click', function () { state.showPlace(s.pmPlace, at, {focus: true}); });
        return el('li', {}, [b]);
      });
      return el('div', {'class': 'pm-popup pm-stack', 'data-count': String(shapes.length)}, [
        el('h3', {text: U.tr(S.places_here, {n: shapes.length}), tabindex: '-1'}),
        el('p', {'class': 'pm-popup-meta', text: S.places_here_note}),
        el('ul', {'class': 'pm-stack-list'}, items)
      ]);
    }

    state.pick = function (shape, latlng) {
      var shapes = stackOf(shape);
      if (shapes.length < 2) { return state.showPlace(shape.pmPlace, latlng); }
      var popup = L.popup(state.popupOptions()).setLatLng(latlng)
        .setContent(listNode(shapes, latlng));
      popup.openOn(map);
      state.stackShown = shapes.map(function (s) { return s.pmPlace; });
      U.signal('planmap:stack', state.stackShown);
      return Promise.resolve(null);
    };
  });
}(window.Planmap));
