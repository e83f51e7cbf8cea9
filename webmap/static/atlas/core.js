/* planmap atlas, core: the namespace, small helpers and the start of a map.
 *
 * The atlas is a set of plain scripts loaded in order in the page head (webmap.maps.ATLAS_MODULES,
 * no build step); each one registers a setup function with Planmap.module(name, setup).
 * Planmap.init(map, cfg), called by folium's inline script once the Leaflet map exists, makes one
 * `state` for that map and runs every setup on it, in load order; the last one shows the first
 * view. Modules talk through that state and through Leaflet events fired on the map:
 *
 *   planmap:overlays  an overlay was shown or hidden     planmap:place    the open popup changed
 *   planmap:basemap   the basemap (and so the CRS) changed planmap:ready  the first view is drawn
 *   planmap:filter    the filters changed what is shown   planmap:drawn    an overlay was drawn
 *
 * What modules put on the state for the others: style (style.js), setBasemap(id) (switch.js),
 * load(group), visibleIds(), shapes(), shapesOf(id) (layers.js), section(title, node, open)
 * (panel.js), passes(props) (filters.js), fetchPlace(id), centreOf(record), showPlace(id,
 * latlng), focusPlace(id) (popups.js), pick(shape, latlng) (stack.js), viewParams(),
 * writePermalink() (permalink.js). Tests and benchmarks read the data members set here.
 *
 * All data text is inserted with textContent (never innerHTML), so a name or passage holding
 * markup shows as text. Labels handed to Leaflet controls, which take HTML, go through esc().
 */
(function () {
  'use strict';

  var Planmap = window.Planmap = {maps: [], modules: [], util: {}};
  var U = Planmap.util;

  U.esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  };

  // Colours end up in style attributes: only a #hex colour is let through.
  U.colour = function (c, fallback) {
    return /^#[0-9a-fA-F]{3,8}$/.test(c || '') ? c : fallback;
  };

  U.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c != null) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
    });
    return node;
  };

  U.getJSON = function (url) {
    return fetch(url, {credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) { throw new Error(url + ' answered ' + r.status); }
      return r.json();
    });
  };

  // A query string from an object, in key order, empty values left out; commas stay readable
  // (layer lists and coordinates are comma-separated, and people read these links).
  U.query = function (params) {
    return Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); })
      .join('&').replace(/%2C/g, ',');
  };

  U.withParams = function (url, params) {
    var q = U.query(params);
    return q ? url + (url.indexOf('?') < 0 ? '?' : '&') + q : url;
  };

  // A URL template of the config ("/api/places/__ID__") filled in.
  U.fill = function (template, values) {
    return Object.keys(values).reduce(function (url, k) {
      return url.replace('__' + k + '__', values[k]);
    }, template);
  };

  // A UI string of the config with its {name} slots filled ("{n} results").
  U.tr = function (template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return values && values[k] != null ? String(values[k]) : m;
    });
  };

  // Whether the map is phone-sized: panels that would hide it start closed.
  U.small = function (state) {
    return state.map.getSize().x < state.cfg.styles.small_screen;
  };

  // A <details> section with its summary: panels built of these open and close with a
  // keyboard and are announced as expandable, with no script of their own.
  U.section = function (title, body, open, cls) {
    var d = U.el('details', {'class': 'pm-section' + (cls ? ' ' + cls : '')},
      [U.el('summary', {text: title}), body]);
    if (open) { d.setAttribute('open', 'open'); }
    return d;
  };

  // Events on `document`, for pages and tests that wait on the map (planmap:ready, …).
  U.signal = function (name, detail) {
    document.dispatchEvent(new CustomEvent(name, {detail: detail}));
  };

  Planmap.module = function (name, setup) {
    if (Planmap.modules.some(function (m) { return m.name === name; })) {
      throw new Error('planmap: module ' + name + ' is loaded twice');
    }
    Planmap.modules.push({name: name, setup: setup});
  };

  Planmap.init = function (map, cfg) {
    var state = {
      map: map, cfg: cfg, crs: 'wgs84', overlays: {}, bases: {}, baseId: null,
      drawn: {}, openPlace: null, ready: false, errors: []
    };
    state.report = function (err) {
      state.errors.push(String(err));
      if (window.console) { console.warn('planmap:', err); }
    };
    Planmap.maps.push(state);
    Planmap.state = state;
    Planmap.modules.forEach(function (m) { m.setup(state); });
    return state;
  };
}());
