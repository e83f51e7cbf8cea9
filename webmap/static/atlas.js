/* planmap atlas: the behaviour of every planmap map, configured by the page.
 *
 * Layers load lazily with fetch() when first shown; popups fetch the place record when opened,
 * so the page stays small however many features there are. When the chosen basemap is drawn in
 * GCJ-02 (AMap), every overlay is reloaded from the API with ?crs=gcj02: the server does the
 * shift (geo.crs), this script never draws WGS-84 on GCJ-02 tiles.
 *
 * All data text is inserted with textContent (never innerHTML), so a name or passage holding
 * markup shows as text. Labels handed to Leaflet controls, which take HTML, go through esc().
 */
(function () {
  'use strict';

  var Planmap = window.Planmap = {maps: []};
  var DASHED = {approximate: true, schematic: true};
  var MINOR_ZOOM = 13;
  var BASE_STYLE = {
    city: {color: '#b9ad98', weight: 1.5, fillColor: '#f3efe6', fillOpacity: 1},
    district: {color: '#c4b8a2', weight: 1, fillColor: '#f1ece1', fillOpacity: 1},
    haidian: {color: '#8a6d3b', weight: 2.5, fillColor: '#fbf8f1', fillOpacity: 1},
    water: {color: '#5b9bd5', weight: 2, fillColor: '#cfe2f3', fillOpacity: 0.9},
    rail: {color: '#777777', weight: 1.5, dashArray: '4 3', fill: false},
    road: {color: '#a39e93', weight: 2, fill: false}
  };

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function colour(c, fallback) {
    return /^#[0-9a-fA-F]{3,8}$/.test(c || '') ? c : fallback;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c != null) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
    });
    return node;
  }

  function getJSON(url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) { throw new Error(url + ' answered ' + r.status); }
      return r.json();
    });
  }

  function withParams(url, params) {
    var q = Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); });
    return q.length ? url + (url.indexOf('?') < 0 ? '?' : '&') + q.join('&') : url;
  }

  function featureStyle(style, props) {
    var s = {
      color: colour(style.color, '#1f5fa8'),
      weight: style.weight || 2,
      fillColor: colour(style.fill_color, colour(style.color, '#1f5fa8')),
      fillOpacity: style.fill_opacity == null ? 0.2 : style.fill_opacity,
      opacity: 0.95
    };
    if (DASHED[props.precision]) { s.dashArray = style.dash_array || '6 4'; }
    // An area-only place is drawn as the whole area it lies in: several of them stacked would
    // darken that area, so they keep the outline and an invisible (still clickable) fill.
    if (props.precision === 'area-only') { s.fillOpacity = 0; s.weight = 1; }
    return s;
  }

  function swatch(style, dashed) {
    var span = el('span', {'class': 'pm-swatch' + (dashed ? ' pm-swatch-dashed' : '')});
    span.style.borderColor = colour(style.color, '#1f5fa8');
    span.style.background = colour(style.fill_color, colour(style.color, '#1f5fa8'));
    return span;
  }

  Planmap.init = function (map, cfg) {
    var S = cfg.strings;
    var state = {
      map: map, cfg: cfg, crs: 'wgs84', overlays: {}, bases: {}, baseId: null,
      drawn: {}, openPlace: null, ready: false, errors: []
    };
    Planmap.maps.push(state);
    Planmap.state = state;
    map.createPane('pmBase');
    map.getPane('pmBase').style.zIndex = 250;

    // ------------------------------------------------------------ basemaps
    function vectorBasemap(b) {
      var group = L.featureGroup();
      var labels = L.layerGroup();       // district names: always
      var minor = L.layerGroup();        // rivers, roads, rail: from MINOR_ZOOM in
      var loaded = false;
      function showMinor() {
        if (map.hasLayer(group) && map.getZoom() >= MINOR_ZOOM) { minor.addTo(map); } else { map.removeLayer(minor); }
      }
      map.on('zoomend', showMinor);
      group.on('add', function () {
        labels.addTo(map);
        showMinor();
        if (loaded) { return; }
        loaded = true;
        getJSON(withParams(cfg.api.basemap, {crs: 'wgs84'})).then(function (fc) {
          L.geoJSON(fc, {
            pane: 'pmBase', interactive: false,
            style: function (f) { return BASE_STYLE[f.properties.role] || BASE_STYLE.district; },
            pointToLayer: function (f, latlng) {  // a lake or spring known only as a point
              var s = BASE_STYLE[f.properties.role] || BASE_STYLE.district;
              return L.circleMarker(latlng, {pane: 'pmBase', interactive: false, radius: 3,
                color: s.color, weight: 1, fillColor: s.fillColor || s.color, fillOpacity: 0.9});
            }
          }).addTo(group);
          fc.features.forEach(function (f) {
            var p = f.properties;
            if (!p.label_at) { return; }
            var name = cfg.lang === 'en' && p.name_en ? p.name_en : p.name;
            var district = p.role === 'district' || p.role === 'haidian';
            L.tooltip({permanent: true, direction: 'center', interactive: false,
              className: (district ? 'pm-district-label' : 'pm-minor-label pm-' + p.role) +
                (p.role === 'haidian' ? ' pm-haidian' : '')})
              .setLatLng([p.label_at[1], p.label_at[0]])
              .setContent(el('span', {text: name}))
              .addTo(district ? labels : minor);
          });
          state.basemapDrawn = fc.features.length;
          document.dispatchEvent(new CustomEvent('planmap:basemap'));
        }).catch(report);
      });
      group.on('remove', function () { map.removeLayer(labels); map.removeLayer(minor); });
      return group;
    }

    function tileBasemap(b) {
      var layers = b.tiles.map(function (url) {
        return L.tileLayer(url, {
          subdomains: b.subdomains || 'abc', maxNativeZoom: b.max_native_zoom,
          maxZoom: map.getMaxZoom(), attribution: esc(b.attribution)
        });
      });
      return layers.length === 1 ? layers[0] : L.layerGroup(layers);
    }

    var baseByTitle = {};
    cfg.basemaps.forEach(function (b) {
      var layer = b.kind === 'vector' ? vectorBasemap(b) : tileBasemap(b);
      layer.pmBase = b;
      state.bases[b.id] = layer;
      baseByTitle[esc(b.title)] = layer;
    });

    // ------------------------------------------------------------ overlays
    function overlayFor(def) {
      var group = L.featureGroup();
      group.pmDef = def;
      group.pmCrs = null;
      group.on('add', function () { load(group); updateUi(); });
      group.on('remove', function () { updateUi(); });
      return group;
    }

    function bboxArea(f) {
      var b = L.geoJSON(f).getBounds();
      return b.isValid() ? (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()) : 0;
    }

    function drawInto(group, fc, style, layerId) {
      // Largest shapes first, so that smaller ones inside them stay on top and clickable.
      var features = (fc.features || []).map(function (f) { return [bboxArea(f), f]; })
        .sort(function (a, b) { return b[0] - a[0]; }).map(function (x) { return x[1]; });
      fc = {type: 'FeatureCollection', features: features};
      var geo = L.geoJSON(fc, {
        style: function (f) { return featureStyle(style, f.properties || {}); },
        pointToLayer: function (f, latlng) {
          var s = featureStyle(style, f.properties || {});
          s.radius = 6; s.fillOpacity = 0.85; s.weight = 1.5; s.color = '#ffffff';
          s.fillColor = colour(style.color, '#1f5fa8');
          return L.circleMarker(latlng, s);
        },
        onEachFeature: function (f, layer) {
          var id = f.id || (f.properties || {}).id;
          layer.pmPlace = id;
          layer.on('add', function () {
            var node = layer.getElement && layer.getElement();
            if (node) { node.setAttribute('data-place', id); }
          });
          if (layer.options) { layer.options.className = 'pm-feature pm-layer-' + layerId; }
          var name = (f.properties || {}).name;
          if (name) { layer.bindTooltip(el('span', {text: name}), {sticky: true}); }
          layer.on('click', function (e) { openPlace(id, e.latlng); });
        }
      });
      geo.addTo(group);
      return geo;
    }

    function load(group) {
      var def = group.pmDef;
      if (group.pmCrs === state.crs || group.pmLoading === state.crs) { return group.pmPromise; }
      var crs = state.crs;
      group.pmLoading = crs;
      group.pmPromise = getJSON(withParams(def.url, {crs: crs})).then(function (fc) {
        if (state.crs !== crs) { return; }
        group.clearLayers();
        drawInto(group, fc, def.style, def.id);
        group.pmCrs = crs;
        group.pmLoading = null;
        state.drawn[def.id] = fc.features.length;
        if (cfg.fit && fc.features.length && !state.fitted) {
          state.fitted = true;
          fitTo(group);
        }
        document.dispatchEvent(new CustomEvent('planmap:layer', {detail: def.id}));
      }).catch(function (err) { group.pmLoading = null; report(err); });
      return group.pmPromise;
    }

    // Fit to the features inside home (Beijing) when there are any: a plan that also names
    // Shanghai or Germany should still open on Haidian; the far ones are a zoom-out away.
    function fitTo(group) {
      var home = cfg.home_bounds ? L.latLngBounds(cfg.home_bounds) : null;
      var near = null, all = group.getBounds();
      group.eachLayer(function (geo) {
        (geo.eachLayer ? geo : L.featureGroup([geo])).eachLayer(function (f) {
          var b = f.getBounds ? f.getBounds() : L.latLngBounds([f.getLatLng()]);
          if (!home || home.contains(b)) {
            near = near ? near.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
          }
        });
      });
      map.fitBounds(near || all, {maxZoom: 15, padding: [20, 20]});
    }

    var grouped = {};
    cfg.layers.forEach(function (def) {
      var g = overlayFor(def);
      state.overlays[def.id] = g;
      var theme = esc(def.theme_title);
      grouped[theme] = grouped[theme] || {};
      var label = '<span class="pm-swatch" style="border-color:' + colour(def.style.color, '#1f5fa8') +
        ';background:' + colour(def.style.fill_color, colour(def.style.color, '#1f5fa8')) +
        '"></span>' + esc(def.title);
      grouped[theme][label] = g;
    });

    if (cfg.inline) {
      var inlineGroup = L.featureGroup().addTo(map);
      drawInto(inlineGroup, cfg.inline, {color: '#d7301f', fill_color: '#fc8d59', fill_opacity: 0.35,
        weight: 3}, 'inline');
      state.drawn.inline = cfg.inline.features.length;
      if (cfg.fit && cfg.inline.features.length) { fitTo(inlineGroup); }
    }

    // ------------------------------------------------------------ popups
    // An excerpt around the first mention (the place page has whole paragraphs), then its citation.
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
      var q = cfg.lang === 'en' ? '?lang=en' : '';
      var links = el('div', {'class': 'pm-links'}, [
        el('a', {href: cfg.api.place_page.replace('__ID__', encodeURIComponent(rec.id)) + q,
          text: S.more + (passages.length > cfg.popup_passages ? ' (' + passages.length + ')' : '')})
      ]);
      (rec.layers || []).filter(function (lid) { return state.overlays[lid]; }).slice(0, 2).forEach(function (lid) {
        links.appendChild(el('a', {href: cfg.api.layer_page.replace('__ID__', encodeURIComponent(lid)) +
          q + '#downloads', text: S.downloads + ' · ' + ((state.overlays[lid] || {}).pmDef || {title: lid}).title}));
      });
      node.appendChild(links);
      return node;
    }

    function fetchPlace(id) {
      return getJSON(withParams(cfg.api.place.replace('__ID__', encodeURIComponent(id)), {crs: state.crs}));
    }

    function centreOf(rec) {
      if (rec.anchor) { return L.latLng(rec.anchor[1], rec.anchor[0]); }
      var b = rec.bbox;
      return b ? L.latLng((b[1] + b[3]) / 2, (b[0] + b[2]) / 2) : null;
    }

    function openPlace(id, latlng) {
      return fetchPlace(id).then(function (rec) {
        var at = latlng || centreOf(rec);
        if (!at) { return rec; }
        var popup = L.popup({maxWidth: 380, minWidth: 260, autoPanPadding: [30, 30]})
          .setLatLng(at).setContent(popupNode(rec));
        popup.pmPlace = id;
        popup.openOn(map);
        state.openPlace = id;
        writePermalink();
        return rec;
      }).catch(report);
    }
    Planmap.openPlace = openPlace;

    map.on('popupclose', function (e) {
      if (e.popup && e.popup.pmPlace === state.openPlace) { state.openPlace = null; writePermalink(); }
    });

    // ------------------------------------------------------------ search
    function selectPlace(hit) {
      if (!hit.located) { return; }
      var rec;
      fetchPlace(hit.id).then(function (r) {
        rec = r;
        var visible = (rec.layers || []).some(function (lid) {
          return state.overlays[lid] && map.hasLayer(state.overlays[lid]);
        });
        if (!visible) {
          var first = (rec.layers || []).filter(function (lid) { return state.overlays[lid]; })[0];
          if (first) { map.addLayer(state.overlays[first]); }
        }
        var b = rec.bbox;
        var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        map.once('moveend', function () { openPlace(hit.id, centreOf(rec)); });
        map.flyToBounds(bounds, {maxZoom: 15, padding: [40, 40], duration: 0.8});
      }).catch(report);
    }

    function searchControl() {
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
          results.forEach(function (h) {
            var sub = (cfg.kinds[h.kind] || h.kind) + (h.name_en ? ' · ' + h.name_en : '') +
              (h.located ? '' : ' · ' + (cfg.precisions.unlocated || 'unlocated'));
            var b = el('button', {type: 'button', 'data-place': h.id}, [h.name, el('span', {'class': 'pm-sub', text: sub})]);
            if (!h.located) { b.disabled = true; }
            b.addEventListener('click', function () { selectPlace(h); });
            list.appendChild(el('li', {}, [b]));
          });
        }
        function run() {
          var q = input.value.trim();
          var mine = ++seq;
          if (!q) { show([]); return Promise.resolve(); }
          return getJSON(withParams(cfg.api.places, {q: q, limit: 8})).then(function (r) {
            if (mine === seq) { show(r.results); }
          }).catch(report);
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
      return ctl;
    }

    // ------------------------------------------------------------ legend
    var legendBody = null;
    function legendControl() {
      var ctl = L.control({position: 'bottomright'});
      ctl.onAdd = function () {
        legendBody = el('div');
        var box = el('div', {'class': 'pm-control pm-legend'}, [el('h4', {text: S.legend}), legendBody,
          el('div', {'class': 'pm-legend-note'}, [swatch({color: '#555', fill_color: '#fff'}, true),
            cfg.precisions.approximate + ' / ' + cfg.precisions.schematic])]);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      return ctl;
    }

    function updateLegend() {
      if (!legendBody) { return; }
      legendBody.textContent = '';
      cfg.layers.forEach(function (def) {
        if (!map.hasLayer(state.overlays[def.id])) { return; }
        legendBody.appendChild(el('div', {'class': 'pm-legend-row', 'data-layer': def.id},
          [swatch(def.style, false), def.title]));
      });
    }

    // ------------------------------------------------------------ share
    // The view link is the permalink; when an /embed page exists, an <iframe> snippet of the
    // same view (same parameters) with a chosen size.
    function shareControl() {
      var ctl = L.control({position: 'topleft'});
      ctl.onAdd = function () {
        var panel = el('div', {'class': 'pm-share-panel', hidden: 'hidden'});
        var button = el('button', {type: 'button', 'class': 'pm-share-button', text: S.share});
        var box = el('div', {'class': 'pm-control pm-share'}, [button, panel]);
        L.DomEvent.disableClickPropagation(box);
        var link = el('input', {type: 'text', readonly: 'readonly', 'class': 'pm-share-link'});
        var code = el('textarea', {readonly: 'readonly', rows: '3', 'class': 'pm-share-code'});
        var w = el('input', {type: 'number', value: '800', min: '200', max: '4000'});
        var h = el('input', {type: 'number', value: '600', min: '200', max: '4000'});
        panel.appendChild(el('label', {}, [S.view_link, link]));
        if (cfg.api.embed) {
          panel.appendChild(el('label', {}, [S.embed_code, code]));
          panel.appendChild(el('div', {'class': 'pm-share-size'}, [S.width, w, S.height, h]));
        }
        function refresh() {
          writePermalink();
          var here = window.location.origin + (state.permalink || window.location.pathname + window.location.search);
          link.value = here;
          if (cfg.api.embed) {
            var src = window.location.origin + cfg.api.embed + here.slice(here.indexOf('?') < 0 ? here.length : here.indexOf('?'));
            code.value = '<iframe src="' + esc(src) + '" width="' + (parseInt(w.value, 10) || 800) +
              '" height="' + (parseInt(h.value, 10) || 600) + '" style="border:0" loading="lazy"></iframe>';
          }
        }
        button.addEventListener('click', function () {
          if (panel.hasAttribute('hidden')) { refresh(); panel.removeAttribute('hidden'); link.select(); } else { panel.setAttribute('hidden', 'hidden'); }
        });
        [w, h].forEach(function (input) { input.addEventListener('input', refresh); });
        map.on('moveend overlayadd overlayremove baselayerchange popupopen popupclose', function () {
          if (!panel.hasAttribute('hidden')) { setTimeout(refresh, 0); }
        });
        return box;
      };
      return ctl;
    }

    // ------------------------------------------------------------ permalink
    function visibleIds() {
      return cfg.layers.filter(function (d) { return map.hasLayer(state.overlays[d.id]); })
        .map(function (d) { return d.id; });
    }

    function writePermalink() {
      if (!cfg.permalink || !state.ready) { return; }
      var c = map.getCenter();
      var params = new URLSearchParams(window.location.search);
      params.set('layers', visibleIds().join(','));
      params.set('center', c.lat.toFixed(5) + ',' + c.lng.toFixed(5));
      params.set('zoom', String(map.getZoom()));
      params.set('basemap', state.baseId || 'vector');
      if (state.openPlace) { params.set('place', state.openPlace); } else { params.delete('place'); }
      var url = window.location.pathname + '?' + params.toString().replace(/%2C/g, ',');
      window.history.replaceState(null, '', url);
      state.permalink = url;
    }
    Planmap.permalink = function () { return state.permalink; };

    function updateUi() { updateLegend(); writePermalink(); }

    // ------------------------------------------------------------ basemap switch (GCJ-02)
    map.on('baselayerchange', function (e) {
      var b = e.layer.pmBase;
      if (!b) { return; }
      state.baseId = b.id;
      if (b.crs !== state.crs) {
        state.crs = b.crs;
        map.closePopup();
        Object.keys(state.overlays).forEach(function (id) {
          var g = state.overlays[id];
          if (map.hasLayer(g)) { load(g); }
        });
      }
      writePermalink();
    });

    // ------------------------------------------------------------ assemble
    var startBase = state.bases[cfg.basemap] || state.bases.vector;
    if (startBase) {
      state.baseId = startBase.pmBase.id;
      state.crs = startBase.pmBase.crs;
      startBase.addTo(map);
    }
    if (cfg.control) {
      L.control.groupedLayers(baseByTitle, grouped, {collapsed: false, position: 'topright'}).addTo(map);
    }
    if (cfg.search) { searchControl().addTo(map); }
    if (cfg.permalink) { shareControl().addTo(map); }
    if (cfg.legend) { legendControl().addTo(map); }
    var pending = (cfg.visible || []).filter(function (id) { return state.overlays[id]; })
      .map(function (id) { map.addLayer(state.overlays[id]); return state.overlays[id].pmPromise; });
    map.on('moveend', writePermalink);
    map.on('overlayadd overlayremove', updateUi);
    Promise.all(pending).then(function () {
      state.ready = true;
      updateUi();
      if (cfg.place) { openPlace(cfg.place, null); }
      document.body.setAttribute('data-planmap-ready', '1');
      document.dispatchEvent(new CustomEvent('planmap:ready'));
    });

    function report(err) {
      state.errors.push(String(err));
      if (window.console) { console.warn('planmap:', err); }
    }
  };
}());
