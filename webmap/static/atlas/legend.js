/* planmap atlas, legend: a swatch and title for each shown layer, and a key for each way of
 * drawing a shape that the map shows now — solid (an exact shape), dashed, outline only — named
 * by the precisions drawn that way (cfg.styles.precision), so the legend says what the map does.
 * It folds (a <details>), and starts folded on a phone-sized map.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('legend', function (state) {
    var map = state.map, cfg = state.cfg, style = state.style;
    if (!cfg.legend) { return; }
    var body = el('div', {'class': 'pm-legend-body'});
    var keys = el('div', {'class': 'pm-legend-keys'});
    var looks = cfg.styles.precision;

    // How a precision is drawn: 'dashed', 'outline' or 'solid'.
    function drawnAs(p) {
      var l = looks[p] || {};
      return l.dashed ? 'dashed' : l.outline_only ? 'outline' : 'solid';
    }

    function inUse() {
      var seen = {};
      state.shapes().forEach(function (s) { seen[s.feature.properties.precision] = true; });
      if (state.drawn.inline && cfg.inline) {
        cfg.inline.features.forEach(function (f) { seen[f.properties.precision] = true; });
      }
      return seen;
    }

    function update() {
      body.textContent = '';
      cfg.layers.forEach(function (def) {
        if (!map.hasLayer(state.overlays[def.id])) { return; }
        body.appendChild(el('div', {'class': 'pm-legend-row', 'data-layer': def.id},
          [style.swatch(def.style), def.title]));
      });
      keys.textContent = '';
      var seen = inUse();
      ['solid', 'dashed', 'outline'].forEach(function (how) {
        var names = Object.keys(looks).filter(function (p) { return seen[p] && drawnAs(p) === how; })
          .map(function (p) { return cfg.precisions[p] || p; });
        if (!names.length) { return; }
        keys.appendChild(el('div', {'class': 'pm-legend-note', 'data-look': how},
          [el('span', {'class': 'pm-swatch pm-swatch-' + how}), names.join(' / ')]));
      });
    }

    var ctl = L.control({position: 'bottomright'});
    ctl.onAdd = function () {
      var fold = el('details', {'class': 'pm-legend-fold'},
        [el('summary', {text: cfg.strings.legend}), body, keys]);
      if (!U.small(state)) { fold.setAttribute('open', 'open'); }
      var box = el('div', {'class': 'pm-control pm-legend'}, [fold]);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.disableClickPropagation(box);
      update();
      return box;
    };
    ctl.addTo(map);
    map.on('planmap:overlays planmap:ready planmap:drawn planmap:filter', update);
  });
}(window.Planmap));
