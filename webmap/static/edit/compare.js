/* planmap corrections, compare: a revision's place before (grey, dashed) and after (red) on the
 * page's one map, with a key, framed on both; what a reviewer looks at before deciding.
 */
(function () {
  'use strict';

  var node = document.getElementById('pm-review-data');
  var state = window.Planmap && window.Planmap.state;
  if (!node || !state || !window.L) { return; }
  var data = JSON.parse(node.textContent);
  var map = state.map;
  var LOOKS = {
    before: {color: '#4d4d4d', weight: 2, dashArray: '6 4', fillColor: '#9e9e9e',
      fillOpacity: 0.15},
    after: {color: '#d7301f', weight: 3, fillColor: '#fc8d59', fillOpacity: 0.3}
  };
  var all = L.featureGroup().addTo(map);

  function draw(which) {
    if (!data[which]) { return; }
    var look = LOOKS[which];
    L.geoJSON(data[which], {
      style: look,
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, L.extend({radius: 7}, look));
      }
    }).eachLayer(function (layer) {
      layer.bindTooltip(data.strings[which]);
      all.addLayer(layer);
    });
  }
  draw('before');
  draw('after');

  var key = L.control({position: 'bottomright'});
  key.onAdd = function () {
    var box = L.DomUtil.create('div', 'pm-compare-key');
    ['before', 'after'].forEach(function (which) {
      var row = L.DomUtil.create('div', '', box);
      var swatch = L.DomUtil.create('span', 'pm-swatch', row);
      swatch.style.borderColor = LOOKS[which].color;
      swatch.style.borderStyle = which === 'before' ? 'dashed' : 'solid';
      row.appendChild(document.createTextNode(data.strings[which]));
    });
    return box;
  };
  key.addTo(map);

  if (all.getLayers().length) {
    map.fitBounds(all.getBounds(), {maxZoom: 16, padding: [30, 30]});
  }
  document.body.setAttribute('data-pm-compared', String(all.getLayers().length));
})();
