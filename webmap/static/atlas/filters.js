/* planmap atlas, filters: show only the places a plan names, in a range of years, of chosen
 * precisions — across every shown layer at once.
 *
 * The choices come from the config (cfg.plans, cfg.precisions) and the features' own
 * properties (plans, years, precision: webmap.geojson.SLIM); the precisions offered are
 * cfg.drawn_precisions. state.passes(props) is the rule
 * layers.js applies to each shape; a change fires planmap:filter, and the section says how many
 * of the drawn features pass. The filters live in the panel's "filters" section (panel.js).
 */
(function (Planmap) {
  'use strict';

  var U = Planmap.util, el = U.el;

  Planmap.module('filters', function (state) {
    var map = state.map, cfg = state.cfg, S = cfg.strings;
    var rule = {plan: '', from: null, to: null, precisions: null};

    state.passes = function (p) {
      p = p || {};
      if (rule.plan && (p.plans || []).indexOf(rule.plan) < 0) { return false; }
      if (rule.from != null || rule.to != null) {
        var years = p.years || [];
        var inRange = years.some(function (y) {
          return (rule.from == null || y >= rule.from) && (rule.to == null || y <= rule.to);
        });
        if (!inRange) { return false; }
      }
      return !rule.precisions || rule.precisions.indexOf(p.precision) >= 0;
    };
    state.filterRule = rule;
    if (!cfg.control || !cfg.plans.length) { return; }

    var years = cfg.plans.map(function (p) { return p.year; }).filter(Boolean)
      .sort(function (a, b) { return a - b; });
    years = years.filter(function (y, i) { return years.indexOf(y) === i; });

    function select(id, label, options) {
      var s = el('select', {id: id}, options.map(function (o) {
        return el('option', {value: o[0], text: o[1]});
      }));
      return {node: el('div', {'class': 'pm-field'}, [el('label', {'for': id, text: label}), s]),
        input: s};
    }

    var plan = select('pm-filter-plan', S.filter_plan, [['', S.all_plans]].concat(
      cfg.plans.map(function (p) { return [p.id, p.year + ' ' + p.title]; })));
    var from = select('pm-filter-from', S.year_from, years.map(function (y) { return [y, y]; }));
    var to = select('pm-filter-to', S.year_to, years.map(function (y) { return [y, y]; }));
    from.input.value = String(years[0]);
    to.input.value = String(years[years.length - 1]);
    var boxes = cfg.drawn_precisions.map(function (p) {
      var input = el('input', {type: 'checkbox', value: p, checked: 'checked'});
      return {input: input, node: el('label', {'class': 'pm-check'}, [input, cfg.precisions[p]])};
    });
    var precision = el('fieldset', {'class': 'pm-field'}, [el('legend', {text: S.filter_precision})]
      .concat(boxes.map(function (b) { return b.node; })));
    var reset = el('button', {type: 'button', 'class': 'pm-filter-reset', text: S.filter_reset});
    var count = el('p', {'class': 'pm-filter-count', role: 'status'});
    var form = el('div', {'class': 'pm-filters'},
      [plan.node, el('div', {'class': 'pm-years'}, [from.node, to.node]), precision, reset, count]);

    function counted() {
      var total = 0, shown = 0;
      state.visibleIds().forEach(function (id) {
        var g = state.overlays[id];
        total += g.pmShapes.length;
        g.pmShapes.forEach(function (s) { if (state.passes(s.feature.properties)) { shown += 1; } });
      });
      count.textContent = U.tr(S.filter_shown, {shown: shown, total: total});
    }

    function read() {
      var lo = parseInt(from.input.value, 10), hi = parseInt(to.input.value, 10);
      if (lo > hi) { var t = lo; lo = hi; hi = t; }
      rule.plan = plan.input.value;
      rule.from = lo > years[0] ? lo : null;
      rule.to = hi < years[years.length - 1] ? hi : null;
      var on = boxes.filter(function (b) { return b.input.checked; })
        .map(function (b) { return b.input.value; });
      rule.precisions = on.length === boxes.length ? null : on;
      map.fire('planmap:filter');
      counted();
    }

    [plan.input, from.input, to.input].forEach(function (i) { i.addEventListener('change', read); });
    boxes.forEach(function (b) { b.input.addEventListener('change', read); });
    reset.addEventListener('click', function () {
      plan.input.value = '';
      from.input.value = String(years[0]);
      to.input.value = String(years[years.length - 1]);
      boxes.forEach(function (b) { b.input.checked = true; });
      read();
    });
    map.on('planmap:drawn planmap:overlays', counted);

    // A filter set by a script or test: {plan, from, to, precisions}.
    state.setFilter = function (r) {
      if ('plan' in r) { plan.input.value = r.plan || ''; }
      if ('from' in r) { from.input.value = String(r.from || years[0]); }
      if ('to' in r) { to.input.value = String(r.to || years[years.length - 1]); }
      if ('precisions' in r) {
        boxes.forEach(function (b) {
          b.input.checked = !r.precisions || r.precisions.indexOf(b.input.value) >= 0;
        });
      }
      read();
    };
    state.section(S.filters, form, false, 'pm-section-filters');
  });
}(window.Planmap));
