/* planmap atlas, panel: the layer control and the sections beside it, in one panel that folds.
 *
 * With cfg.control the panel (top right) holds the grouped layer control (basemaps by title,
 * overlays by theme, each with a swatch) and the sections other modules add with
 * state.section(title, node, open): filters, places in view, about. A button opens and closes
 * it (aria-expanded); on a phone-sized map (U.small) it starts closed, so the map is seen
 * first. The layer list scrolls inside the panel, and a note under it says so while more
 * layers lie below its edge.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  // Basemaps by title and overlays by theme, labelled with a swatch (the control takes HTML).
  function layerControl(state) {
    var bases = {}, themes = {};
    state.cfg.basemaps.forEach(function (b) { bases[U.esc(b.title)] = state.bases[b.id]; });
    state.cfg.layers.forEach(function (def) {
      var theme = U.esc(def.theme_title);
      themes[theme] = themes[theme] || {};
      themes[theme][state.style.swatchHtml(def.style) + U.esc(def.title)] = state.overlays[def.id];
    });
    return L.control.groupedLayers(bases, themes, {collapsed: false, position: 'topright'});
  }

  Planmap.module('panel', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    state.section = function () { return null; };
    if (!cfg.control) { return; }

    var control = layerControl(state).addTo(map);
    var list = control.getContainer();
    list.classList.add('pm-layer-list');
    list.setAttribute('role', 'group');
    list.setAttribute('aria-label', S.layer_list);
    var hint = el('div', {'class': 'pm-more-below', 'aria-hidden': 'true', text: S.more_below});
    var body = el('div', {'class': 'pm-panel-body', id: 'pm-panel-body'}, [list, hint]);
    var button = el('button', {type: 'button', 'class': 'pm-panel-toggle',
      'aria-controls': 'pm-panel-body', 'aria-expanded': 'true'});
    var box = el('div', {'class': 'pm-control pm-panel'}, [button, body]);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);

    function moreBelow() {
      hint.hidden = list.scrollHeight - list.scrollTop - list.clientHeight < 4;
    }

    function setOpen(open) {
      body.hidden = !open;
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      button.textContent = open ? '× ' + S.panel : '☰ ' + S.panel;
      button.setAttribute('title', open ? S.panel_close : S.panel_open);
      if (open) { moreBelow(); }
    }

    var ctl = L.control({position: 'topright'});
    ctl.onAdd = function () { return box; };
    ctl.addTo(map);
    button.addEventListener('click', function () { setOpen(body.hidden); });
    list.addEventListener('scroll', moreBelow);
    map.on('resize planmap:ready', moreBelow);
    setOpen(!U.small(state));

    state.panel = {box: box, body: body, setOpen: setOpen};
    state.section = function (title, node, open, cls) {
      var d = U.section(title, node, open, cls);
      body.appendChild(d);
      return d;
    };
  });
}(window.Planmap));
