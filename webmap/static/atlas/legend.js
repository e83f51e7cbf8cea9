/* planmap atlas, legend: a swatch and title for each shown layer, and one note per precision
 * look that changes a shape (dashed; outline only), named by the precisions that have it in
 * cfg.styles, so the legend says what the map does.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('legend', function (state) {
    var map = state.map, cfg = state.cfg, style = state.style;
    if (!cfg.legend) { return; }
    var body = el('div');

    function note(precisions, swatchClass) {
      if (!precisions.length) { return null; }
      var names = precisions.map(function (p) { return cfg.precisions[p] || p; }).join(' / ');
      return el('div', {'class': 'pm-legend-note'},
        [el('span', {'class': 'pm-swatch ' + swatchClass}), names]);
    }

    function update() {
      body.textContent = '';
      cfg.layers.forEach(function (def) {
        if (!map.hasLayer(state.overlays[def.id])) { return; }
        body.appendChild(el('div', {'class': 'pm-legend-row', 'data-layer': def.id},
          [style.swatch(def.style), def.title]));
      });
    }

    var ctl = L.control({position: 'bottomright'});
    ctl.onAdd = function () {
      var notes = style.precisionNotes();
      var box = el('div', {'class': 'pm-control pm-legend'}, [
        el('h4', {text: cfg.strings.legend}), body,
        note(notes.dashed, 'pm-swatch-dashed'), note(notes.outline_only, 'pm-swatch-outline')
      ]);
      L.DomEvent.disableScrollPropagation(box);
      update();
      return box;
    };
    ctl.addTo(map);
    map.on('planmap:overlays planmap:ready', update);
  });
}(window.Planmap));
