/* planmap atlas, share: a panel with the link to this view, the <iframe> snippet of the same
 * view (when an /embed page exists: cfg.api.embed) with a chosen size, and static figures of the
 * view for reports (when the figure routes exist: cfg.figures).
 *
 * The figure links name the shown layers and, when the view is a WGS-84 one within
 * cfg.figures.within, its bounding box; figures are drawn in WGS-84 within Beijing, so a GCJ-02
 * (AMap) view or one wider than that is not passed on and the figure frames its content instead.
 * Only URLs built from the page's own state are inserted, through attributes and textContent.
 * The snippet names its frame (`title`, for screen readers) and allows full screen; copy
 * buttons put the link or the snippet on the clipboard (or, where the browser allows no
 * clipboard, as on plain-http intranets, select it and say to press Ctrl+C).
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('share', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    if (!cfg.permalink) { return; }

    function viewUrl() {
      state.writePermalink();
      return window.location.origin + (state.permalink || window.location.pathname + window.location.search);
    }

    // Copy the text of `field`; the message says whether it worked or what to do.
    function copier(field, label) {
      var said = el('span', {'class': 'pm-copy-status', role: 'status'});
      var button = el('button', {type: 'button', 'class': 'pm-copy', text: label});
      button.addEventListener('click', function () {
        field.select();
        if (!navigator.clipboard) { said.textContent = S.copy_by_hand; return; }
        navigator.clipboard.writeText(field.value).then(function () {
          said.textContent = S.copied;
        }, function () { said.textContent = S.copy_by_hand; });
      });
      return el('div', {'class': 'pm-copy-row'}, [button, said]);
    }

    function embedPart() {
      var code = el('textarea', {readonly: 'readonly', rows: '3', 'class': 'pm-share-code',
        id: 'pm-share-code'});
      var w = el('input', {type: 'number', value: '800', min: '200', max: '4000', id: 'pm-share-w'});
      var h = el('input', {type: 'number', value: '600', min: '200', max: '4000', id: 'pm-share-h'});
      var nodes = [el('label', {'for': 'pm-share-code', text: S.embed_code}), code,
        copier(code, S.copy),
        el('div', {'class': 'pm-share-size'}, [el('label', {'for': 'pm-share-w', text: S.width_px}),
          w, el('label', {'for': 'pm-share-h', text: S.height_px}), h])];
      function refresh(here) {
        var q = here.indexOf('?');
        var src = window.location.origin + cfg.api.embed + (q < 0 ? '' : here.slice(q));
        code.value = '<iframe src="' + U.esc(src) + '" title="' + U.esc(S.embed_title) +
          '" width="' + (parseInt(w.value, 10) || 800) + '" height="' +
          (parseInt(h.value, 10) || 600) +
          '" style="border:0" loading="lazy" allowfullscreen></iframe>';
      }
      return {nodes: nodes, refresh: refresh, inputs: [w, h]};
    }

    function viewBbox() {
      if (state.crs !== 'wgs84') { return null; }
      var b = map.getBounds();
      if (!L.latLngBounds(cfg.figures.within).contains(b)) { return null; }
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(5); }).join(',');
    }

    function figuresPart() {
      var links = cfg.figures.formats.map(function (f) {
        return el('a', {'class': 'pm-share-figure-' + f.format, target: '_blank', rel: 'noopener',
          text: f.label});
      });
      var none = el('div', {text: S.figure_needs_layer});
      var box = el('div', {'class': 'pm-share-figures'},
        [el('div', {text: S.figure_of_view})].concat(links, [none]));
      function refresh() {
        var ids = state.visibleIds();
        none.hidden = ids.length > 0;
        cfg.figures.formats.forEach(function (f, i) {
          var params = Object.assign({}, f.query, {lang: cfg.lang, bbox: viewBbox()});
          links[i].hidden = !ids.length;
          links[i].href = U.withParams(U.fill(cfg.figures.layers,
            {IDS: ids.map(encodeURIComponent).join(','), FMT: f.format}), params);
        });
      }
      return {nodes: [box], refresh: refresh, inputs: []};
    }

    var ctl = L.control({position: 'topleft'});
    ctl.onAdd = function () {
      var link = el('input', {type: 'text', readonly: 'readonly', 'class': 'pm-share-link',
        id: 'pm-share-link'});
      var parts = [cfg.api.embed ? embedPart() : null, cfg.figures ? figuresPart() : null]
        .filter(Boolean);
      var panel = el('div', {'class': 'pm-share-panel', id: 'pm-share-panel', hidden: 'hidden'},
        [el('label', {'for': 'pm-share-link', text: S.view_link}), link,
          copier(link, S.copy_link)]);
      parts.forEach(function (p) { p.nodes.forEach(function (n) { panel.appendChild(n); }); });
      var button = el('button', {type: 'button', 'class': 'pm-share-button', text: S.share,
        'aria-expanded': 'false', 'aria-controls': 'pm-share-panel'});
      var box = el('div', {'class': 'pm-control pm-share'}, [button, panel]);
      L.DomEvent.disableClickPropagation(box);

      function refresh() {
        var here = viewUrl();
        link.value = here;
        parts.forEach(function (p) { p.refresh(here); });
      }
      button.addEventListener('click', function () {
        if (panel.hasAttribute('hidden')) {
          refresh();
          panel.removeAttribute('hidden');
          button.setAttribute('aria-expanded', 'true');
          link.select();
        } else {
          panel.setAttribute('hidden', 'hidden');
          button.setAttribute('aria-expanded', 'false');
        }
      });
      parts.forEach(function (p) {
        p.inputs.forEach(function (input) { input.addEventListener('input', refresh); });
      });
      map.on('moveend planmap:overlays planmap:place planmap:basemap', function () {
        if (!panel.hasAttribute('hidden')) { refresh(); }
      });
      return box;
    };
    ctl.addTo(map);
  });
}(window.Planmap));
