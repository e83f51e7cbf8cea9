/* planmap atlas, about: what the map is for, how current its data is, whose it is.
 *
 * Every map credits its data in Leaflet's attribution line (cfg.attributions, plus the
 * attribution of the basemap shown, e.g. "© OpenStreetMap contributors, ODbL"). With
 * cfg.about the panel also has an "about this map" section: purpose, the date of the newest
 * plan, the data version, the sources and their licences, and the basemaps on offer with
 * theirs. All of it is text from the config, inserted as text.
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('about', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;

    if (map.attributionControl) {
      map.attributionControl.setPrefix(false);
      (cfg.attributions || []).forEach(function (a) { map.attributionControl.addAttribution(U.esc(a)); });
    }
    if (!cfg.about) { return; }
    var a = cfg.about;

    function item(text) { return el('li', {text: text}); }
    function part(title, children) {
      return el('div', {'class': 'pm-about-part'}, [el('h4', {text: title})].concat(children));
    }

    var plans = el('ul', {}, a.plans.map(function (p) {
      return item(p.title + (p.issuer ? ' · ' + p.issuer : '') + (p.date ? ' · ' + p.date : ''));
    }));
    var sources = el('ul', {}, [S.about_plans, S.about_gazetteer, S.about_boundaries]
      .concat(cfg.attributions || []).map(item));
    var bases = el('ul', {}, cfg.basemaps.map(function (b) { return item(b.title + ' — ' + b.attribution); }));
    var body = el('div', {'class': 'pm-about'}, [
      el('p', {text: S.about_purpose}),
      el('dl', {}, [
        el('dt', {text: S.about_data_date}), el('dd', {text: a.data_date || '—'}),
        el('dt', {text: S.about_version}), el('dd', {text: a.version})
      ]),
      part(S.about_sources, [sources, plans]),
      part(S.about_basemaps, [bases]),
      part(S.about_licences, [el('p', {text: S.about_software})])
    ]);
    state.section(S.about, body, false, 'pm-section-about');
  });
}(window.Planmap));
