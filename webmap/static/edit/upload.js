/* planmap corrections, upload: read a GIS file on the server (POST /api/geometry/read: GeoJSON,
 * GeoPackage, zipped shapefile, KML/KMZ, in the CRS chosen or the file's own) and show its
 * geometry on the map, in WGS-84, before the correction is submitted. The converted geometry goes
 * into the form's GeoJSON field and the file input is cleared, so the form submits what was
 * shown. Without this script the file is sent with the form and read there the same way.
 * A refusal is the server's one-line message, in a live region.
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('pm-edit-data').textContent);
  var button = document.getElementById('pm-read');
  var file = document.getElementById('pm-file');
  var crs = document.getElementById('pm-crs');
  var status = document.getElementById('pm-upload-status');
  if (!button || !file || !window.fetch || !window.FormData) { return; }
  button.hidden = false;

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] != null ? String(values[k]) : m;
    });
  }

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle('pm-error-line', !!bad);
  }

  button.addEventListener('click', function () {
    if (!file.files.length) {
      file.focus();
      return;
    }
    var body = new FormData();
    body.append('file', file.files[0]);
    body.append('crs', crs ? crs.value : '');
    if (button.getAttribute('data-place')) { body.append('place', button.getAttribute('data-place')); }
    var token = document.querySelector('input[name=csrf_token]').value;
    button.disabled = true;
    say('…');
    fetch(data.read_url, {method: 'POST', body: body, credentials: 'same-origin',
      headers: {'X-CSRFToken': token, Accept: 'application/json'}})
      .then(function (r) {
        return r.json().then(function (json) { return {ok: r.ok, json: json}; });
      })
      .then(function (res) {
        if (!res.ok) {
          say(res.json.description || String(res.json.status), true);
          return;
        }
        var got = res.json;
        if (window.PlanmapEdit && window.PlanmapEdit.load) {
          window.PlanmapEdit.load(got.geometry, true);
        } else {
          document.getElementById('pm-geometry').value = JSON.stringify(got.geometry);
        }
        file.value = '';
        document.body.setAttribute('data-pm-uploaded', String(got.moved_m));
        say(fill(data.strings.upload_done, {format: got.format, used: got.used,
          features: got.features, crs: got.crs, moved: Math.round(got.moved_m)}));
      })
      .catch(function (err) { say(String(err), true); })
      .then(function () { button.disabled = false; });
  });
})();
