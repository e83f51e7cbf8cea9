/* planmap unknown names page (/plans/<id>/names): alias, new place (drawn or area-only), dismiss.
 *
 * Loaded before intake.js, which calls window.PlanmapNames with its helpers (send with the CSRF
 * token, say, the two-language word picker, element makers). Alias and new place become
 * revisions (POST /api/plans/<id>/names/alias|place); a reviewer approves them here or in the
 * review queue. The drawing map draws the store's basemap lines for orientation (offline).
 */
window.PlanmapNames = function (send, say, w, el, fill) {
  'use strict';

  var page = document.querySelector('.pm-names-page');
  if (!page) { return; }
  var plan = page.getAttribute('data-plan');
  var base = '/api/plans/' + encodeURIComponent(plan) + '/names/';
  var basemap = null;

  function find(q, box, name) {
    return fetch('/api/places?q=' + encodeURIComponent(q) + '&limit=8', {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        fill(box, data.places || [], function (p) {
          var label = el('label');
          var radio = el('input');
          radio.type = 'radio';
          radio.name = name;
          radio.value = p.id;
          label.appendChild(radio);
          label.appendChild(document.createTextNode(' ' + p.name + ' (' + p.kind + ', ' + p.id + ')'));
          return label;
        });
        var first = box.querySelector('input');
        if (first) { first.checked = true; }
      });
  }

  function chosen(box) {
    var r = box.querySelector('input:checked');
    return r ? r.value : null;
  }

  function drawing(li) {
    if (li.pmDraw) { return li.pmDraw; }
    var box = li.querySelector('.pm-draw-map');
    var map = window.L.map(box, {attributionControl: false}).setView([40.03, 116.27], 11);
    var state = {map: map, points: [], layer: window.L.layerGroup().addTo(map)};
    (basemap || (basemap = fetch('/api/basemap.geojson').then(function (r) { return r.json(); })))
      .then(function (g) {
        window.L.geoJSON(g, {style: {color: '#888', weight: 1, fill: false}, interactive: false})
          .addTo(map);
      });
    map.on('click', function (e) {
      state.points.push([e.latlng.lng, e.latlng.lat]);
      redraw(state);
    });
    li.pmDraw = state;
    return state;
  }

  function redraw(state) {
    state.layer.clearLayers();
    var latlngs = state.points.map(function (p) { return [p[1], p[0]]; });
    latlngs.forEach(function (ll) { window.L.circleMarker(ll, {radius: 5}).addTo(state.layer); });
    if (latlngs.length >= 3) { window.L.polygon(latlngs).addTo(state.layer); }
    else if (latlngs.length === 2) { window.L.polyline(latlngs).addTo(state.layer); }
  }

  function geometry(state) {
    var pts = state.points;
    if (!pts.length) { return null; }
    if (pts.length === 1) { return {type: 'Point', coordinates: pts[0]}; }
    if (pts.length === 2) { return {type: 'LineString', coordinates: pts}; }
    return {type: 'Polygon', coordinates: [pts.concat([pts[0]])]};
  }

  function proposed(li, rev) {
    var list = li.querySelector('.pm-pending');
    if (!list) { list = el('ul', null, 'pm-pending'); li.insertBefore(list, li.querySelector('.pm-decide')); }
    var item = el('li', w('待审核修订', 'Proposed revision') + ' #' + rev.id + ' (' + rev.kind + ', ' + rev.place_id + ')');
    item.setAttribute('data-revision', rev.id);
    list.appendChild(item);
    say(w('已提交修订 #', 'Proposed revision #') + rev.id + w('，等待审核。', '; a reviewer approves it.'));
  }

  document.querySelectorAll('.pm-name details.pm-decide').forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open && window.L) {
        var state = drawing(d.closest('.pm-name'));
        setTimeout(function () { state.map.invalidateSize(); }, 50);
      }
    });
  });

  page.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-action]');
    if (!button) { return; }
    var li = button.closest('.pm-name');
    var action = button.getAttribute('data-action');
    var text = li ? li.getAttribute('data-name') : null;
    var done;
    if (action === 'find-place' || action === 'find-parent') {
      var alias = action === 'find-place';
      var q = li.querySelector(alias ? '.pm-place-q' : '.pm-parent-q').value || text;
      var hits = li.querySelector(alias ? '.pm-place-hits' : '.pm-parent-hits');
      done = find(q, hits, (alias ? 'pm-alias-' : 'pm-parent-') + text);
    } else if (action === 'alias') {
      var place = chosen(li.querySelector('.pm-place-hits'));
      if (!place) { say(w('请先查找并选择地点', 'Find and choose the place first'), true); return; }
      done = send(base + 'alias', {text: text, place_id: place,
        only_this_plan: li.querySelector('.pm-only-plan').checked})
        .then(function (rev) { proposed(li, rev); });
    } else if (action === 'new-place') {
      var body = {text: text, kind: li.querySelector('.pm-kind').value,
        id: li.querySelector('.pm-new-id').value || null, name_en: li.querySelector('.pm-new-en').value};
      var where = li.querySelector('.pm-where:checked').value;
      if (where === 'area') {
        body.parent = chosen(li.querySelector('.pm-parent-hits'));
        if (!body.parent) { say(w('请先查找并选择所在区域', 'Find and choose the place it lies in first'), true); return; }
      } else {
        body.geometry = li.pmDraw ? geometry(li.pmDraw) : null;
        if (!body.geometry) { say(w('请先在地图上点击绘制', 'Click on the map to draw it first'), true); return; }
      }
      done = send(base + 'place', body).then(function (rev) { proposed(li, rev); });
    } else if (action === 'clear-drawing') {
      if (li.pmDraw) { li.pmDraw.points = []; redraw(li.pmDraw); }
      return;
    } else if (action === 'dismiss') {
      done = send(base + 'dismiss', {text: text, reason: li.querySelector('.pm-reason').value})
        .then(function () { li.remove(); say(text + w(' 已标为不是地名。', ' dismissed: not a place.')); });
    } else if (action === 'approve-revision') {
      var id = button.getAttribute('data-revision');
      done = send('/api/revisions/' + id + '/approve', {reason: ''}).then(function () {
        button.disabled = true;
        say(w('已批准修订 #', 'Approved revision #') + id + w('；所有文件正在重新识别。', '; every plan is being read again.'));
      });
    } else if (action === 'lift') {
      var item = button.closest('li');
      done = send('/api/stops/' + button.getAttribute('data-stop') + '/lift',
        {reason: item.querySelector('.pm-lift-reason').value}).then(function () { item.remove(); });
    }
    if (done) { done.catch(function (e) { say(e.message, true); }); }
  });
};
