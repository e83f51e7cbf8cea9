/* planmap intake pages: add a document (/plans/upload), review the documents added
 * (/plans/uploads), and decide a plan's unknown names (/plans/<id>/names).
 *
 * Every write carries the session's CSRF token (from /api/me). Text from the server is put into
 * the page with textContent only, never as HTML. The drawing map of the names page is plain
 * Leaflet over the store's own basemap (/api/basemap.geojson), so it works offline.
 */
(function () {
  'use strict';

  var main = document.getElementById('main');
  var en = main && main.getAttribute('data-lang') === 'en';
  var result = document.getElementById('pm-result');
  var token = null;

  function w(zh, english) { return en ? english : zh; }

  function say(text, bad) {
    if (!result) { return; }
    result.textContent = text;
    result.className = bad ? 'pm-message pm-bad' : 'pm-message';
  }

  function csrf() {
    if (token) { return Promise.resolve(token); }
    return fetch('/api/me', {credentials: 'same-origin'}).then(function (r) { return r.json(); })
      .then(function (me) { token = me.csrf_token; return token; });
  }

  function send(url, body) {
    return csrf().then(function (t) {
      var init = {method: 'POST', credentials: 'same-origin', headers: {'X-CSRFToken': t}};
      if (body instanceof FormData) {
        init.body = body;
      } else {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body || {});
      }
      return fetch(url, init);
    }).then(answer);
  }

  function answer(r) {
    return r.json().then(function (data) {
      if (!r.ok) { throw new Error(data.description || data.message || r.statusText); }
      return data;
    });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function fill(list, items, make) {
    list.textContent = '';
    items.forEach(function (item) { list.appendChild(make(item)); });
  }

  /* ---------------------------------------------------------------- upload page */

  var form = document.getElementById('pm-upload-form');
  if (form) {
    var file = document.getElementById('pm-file');
    var meta = document.getElementById('pm-meta');
    var reading = document.getElementById('pm-reading');

    var outlineNode = function (n) {
      var li = el('li');
      var where = n.page ? w('第' + n.page + '页', 'p. ' + n.page) : w('第' + n.line + '行', 'line ' + n.line);
      li.appendChild(el('span', n.heading, 'pm-outline-heading'));
      li.appendChild(el('small', ' (' + n.paragraphs + w(' 段, ', ' paragraphs, ') + where + ')'));
      if (n.children.length) {
        var ul = el('ul');
        fill(ul, n.children, outlineNode);
        li.appendChild(ul);
      }
      return li;
    };

    var show = function (p) {
      Object.keys(p.defaults).forEach(function (key) {
        var input = document.getElementById('pm-f-' + key);
        if (input && (!input.value || input.getAttribute('data-auto') === '1')) {
          input.value = p.defaults[key];
          input.setAttribute('data-auto', '1');
        }
      });
      document.querySelectorAll('.pm-found').forEach(function (s) {
        var where = p.guess.found[s.getAttribute('data-for')];
        s.textContent = where ? w('读自：', 'read from: ') + where : w('未能读出，请填写', 'not found: please fill in');
      });
      var pages = p.pages ? ', ' + p.pages + w(' 页', ' pages') : '';
      document.getElementById('pm-stats').textContent = p.source.toUpperCase() + pages + ' · ' +
        p.paragraphs + w(' 段 · ', ' paragraphs · ') + p.mentions + w(' 处地点提及 · ', ' place mentions · ') +
        p.unknown_total + w(' 个未知地名', ' unknown names');
      fill(document.getElementById('pm-warnings'), p.warnings, function (t) { return el('li', t); });
      var dup = document.getElementById('pm-duplicate');
      dup.hidden = !p.duplicate;
      dup.textContent = p.duplicate ? w('此文件已添加为 ', 'This file is plan ') + p.duplicate + w('。', ' already.') : '';
      fill(document.getElementById('pm-outline'), p.outline, outlineNode);
      fill(document.getElementById('pm-citations'), p.citations, function (c) {
        var li = el('li', en ? c.citation_en : c.citation);
        li.appendChild(el('small', ' ' + c.text));
        return li;
      });
      document.getElementById('pm-places').textContent = p.places.map(function (x) {
        return x.name + ' ×' + x.count;
      }).join(' · ');
      document.getElementById('pm-unknown').textContent = p.unknown.map(function (x) {
        return x.text + ' ×' + x.count;
      }).join(' · ');
      document.getElementById('pm-preview').hidden = false;
      document.getElementById('pm-save').disabled = !!p.duplicate;
    };

    var formData = function (withFields) {
      var data = new FormData();
      data.append('file', file.files[0]);
      if (withFields) {
        meta.querySelectorAll('input, select').forEach(function (input) {
          if (input.value) { data.append(input.name, input.value); }
        });
      }
      return data;
    };

    file.addEventListener('change', function () {
      if (!file.files.length) { return; }
      meta.querySelectorAll('input').forEach(function (i) {
        if (i.getAttribute('data-auto') === '1') { i.value = ''; }
      });
      reading.textContent = w('正在读取…', 'Reading…');
      send('/api/plans/uploads/preview', formData(false)).then(function (p) {
        reading.textContent = w('已读取：', 'Read: ') + p.filename;
        meta.disabled = false;
        show(p);
      }).catch(function (e) { reading.textContent = e.message; });
    });

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      say(w('正在保存…', 'Saving…'));
      send('/api/plans/uploads', formData(true)).then(function (plan) {
        result.textContent = w('已保存为 ', 'Saved as ') + plan.id + w('，等待审核。', ', waiting for review. ');
        var a = el('a', w('已添加的文件', 'Documents added'));
        a.href = '/plans/uploads' + (en ? '?lang=en' : '');
        result.appendChild(a);
        document.getElementById('pm-save').disabled = true;
      }).catch(function (e) { say(e.message, true); });
    });
  }

  /* ---------------------------------------------------------------- uploads page */

  document.querySelectorAll('.pm-uploads button[data-action]').forEach(function (button) {
    button.addEventListener('click', function () {
      var row = button.closest('tr');
      var id = row.getAttribute('data-plan');
      var reason = (document.getElementById('pm-reason') || {}).value || '';
      var action = button.getAttribute('data-action');
      send('/api/plans/uploads/' + encodeURIComponent(id) + '/' + action, {reason: reason})
        .then(function (plan) {
          var state = plan.withdrawn ? 'withdrawn' : plan.status;
          row.setAttribute('data-status', state);
          row.querySelector('.pm-state').textContent = state;
          row.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
          say(id + ': ' + state);
        }).catch(function (e) { say(e.message, true); });
    });
  });

  if (window.PlanmapNames) { window.PlanmapNames(send, say, w, el, fill); }
}());
