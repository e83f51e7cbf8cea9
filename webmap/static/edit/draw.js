/* planmap corrections, draw: the geometry of a correction drawn or modified on the page's map
 * with Leaflet-Geoman (vendored), kept in step with the form's GeoJSON field.
 *
 * The field is the truth the form submits: the map writes it after every change (drawn,
 * vertices moved, dragged, removed) and reads it back when someone types or pastes GeoJSON, so
 * the map and the keyboard are two ways to the same value. The place's present geometry stays
 * on the map, dashed and not editable, to compare against. Geoman runs opted in (only the
 * shapes made here are editable, never the atlas's layers or basemap). Coordinates are written
 * with 7 decimals (about 1 cm), WGS-84: the page offers only WGS-84 basemaps.
 *
 * window.PlanmapEdit.load(geometry, fit) puts a geometry on the map and into the field
 * (upload.js uses it); .group is the editable layer group.
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('pm-edit-data').textContent);
  var field = document.getElementById('pm-geometry');
  var none = document.getElementById('pm-unlocatable');
  var status = document.getElementById('pm-upload-status');
  var state = window.Planmap && window.Planmap.state;
  if (!state || !field || !window.L || !L.PM) { return; }
  var map = state.map;
  var lang = state.cfg.lang;
  L.PM.setOptIn(true);
  // the map was made before Geoman was loaded, so its init hook did not run on it
  if (!map.pm) { map.pm = new L.PM.Map(map); }

  var EDITABLE = {color: '#d7301f', weight: 3, fillColor: '#fc8d59', fillOpacity: 0.3,
    pmIgnore: false};
  var group = L.featureGroup().addTo(map);
  var edit = window.PlanmapEdit = {group: group, load: null};

  if (data.geometry) {
    L.geoJSON(data.geometry, {
      pmIgnore: true, interactive: false,
      style: {color: '#555', weight: 2, dashArray: '6 4', fill: false},
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: 6, color: '#555', dashArray: '3 3',
          fill: false, pmIgnore: true, interactive: false});
      }
    }).addTo(map);
  }

  map.pm.setLang(lang === 'zh' ? 'zh' : 'en');
  map.pm.setGlobalOptions({layerGroup: group, pathOptions: EDITABLE, pmIgnore: false,
    snappable: false});
  map.pm.addControls({
    position: 'topleft', drawCircle: false, drawCircleMarker: false, drawText: false,
    cutPolygon: false, rotateMode: false
  });
  // Geoman titles the box around each tool button; screen readers need the name on the link
  map.getContainer().querySelectorAll('.leaflet-pm-toolbar .button-container')
    .forEach(function (box) {
      var link = box.querySelector('.leaflet-buttons-control-button');
      if (link && box.title) { link.setAttribute('aria-label', box.title); }
    });

  function family(type) {
    return type.replace('Multi', '');
  }

  // All shapes of the group as one GeoJSON geometry (several of one kind: a Multi geometry).
  function combined() {
    var geoms = [];
    group.eachLayer(function (layer) { geoms.push(layer.toGeoJSON(7).geometry); });
    if (!geoms.length) { return null; }
    if (geoms.length === 1) { return geoms[0]; }
    var kind = family(geoms[0].type);
    if (geoms.some(function (g) { return family(g.type) !== kind; })) {
      throw new Error('mixed');
    }
    var parts = [];
    geoms.forEach(function (g) {
      if (g.type === kind) { parts.push(g.coordinates); } else { parts = parts.concat(g.coordinates); }
    });
    return {type: 'Multi' + kind, coordinates: parts};
  }

  function say(text, bad) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle('pm-error-line', !!bad);
  }

  function write() {
    try {
      var geometry = combined();
      field.value = geometry ? JSON.stringify(geometry) : '';
      document.body.setAttribute('data-pm-drawn', String(group.getLayers().length));
    } catch (err) {
      say(lang === 'zh' ? '一个地点只能是点、线或面之一，请删除其余的形状。'
        : 'A place is points, lines or areas, not a mix: remove the other shapes.', true);
    }
  }

  function watch(layer) {
    layer.on('pm:edit pm:dragend pm:rotateend', write);
  }

  function load(geometry, fit) {
    group.clearLayers();
    if (geometry) {
      L.geoJSON(geometry, {
        style: EDITABLE,
        pointToLayer: function (f, latlng) { return L.marker(latlng, {pmIgnore: false}); }
      }).eachLayer(function (layer) {
        layer.options.pmIgnore = false;
        L.PM.reInitLayer(layer);
        group.addLayer(layer);
        watch(layer);
      });
      if (fit && group.getLayers().length) {
        map.fitBounds(group.getBounds(), {maxZoom: 16, padding: [30, 30]});
      }
    }
    field.value = geometry ? JSON.stringify(geometry) : '';
    document.body.setAttribute('data-pm-drawn', String(group.getLayers().length));
  }
  edit.load = load;

  map.on('pm:create', function (e) {
    watch(e.layer);
    write();
  });
  map.on('pm:remove', function (e) {
    group.removeLayer(e.layer);
    write();
  });

  field.addEventListener('change', function () {
    var text = field.value.trim();
    if (!text) { load(null); return; }
    try {
      var value = JSON.parse(text);
      load(value.type === 'Feature' ? value.geometry : value, true);
      say('');
    } catch (err) {
      say(lang === 'zh' ? 'GeoJSON 无法解析：' + err.message : 'Not readable GeoJSON: '
        + err.message, true);
    }
  });

  if (none) {
    none.addEventListener('change', function () {
      field.disabled = none.checked;
      if (none.checked) { group.clearLayers(); } else { field.dispatchEvent(new Event('change')); }
    });
  }

  var start = field.value.trim();
  try {
    load(start ? JSON.parse(start) : null, true);
  } catch (err) {
    say(err.message, true);
  }
  document.body.setAttribute('data-pm-edit-ready', '1');
})();
