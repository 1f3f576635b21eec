// 检查结果填报 on a weak network (RESULT-5): the form is a draft kept on the
// phone (localStorage, per task and department) from the first keystroke,
// restored when the page opens again, and cleared only after the server has
// confirmed the submission. The draft carries the id the phone made when it
// started (client_id): resending it never creates a second result.
// 提交 cannot be undone: it goes only with the box 「提交后不可修改」 ticked
// (the box is never part of the draft), and an error shown for an earlier
// attempt is cleared as soon as the form is changed.
(function () {
  'use strict';
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(function () {});
  }

  function ready(fn) {
    if (document.readyState !== 'loading') fn(); else document.addEventListener('DOMContentLoaded', fn);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }

  ready(function () {
    // Submitted: the server has the result; the draft is no longer needed.
    var done = document.querySelector('[data-submitted-draft]');
    if (done) { try { localStorage.removeItem(done.dataset.submittedDraft); } catch (e) {} }

    var form = document.getElementById('result-form');
    if (!form) return;
    var key = form.dataset.draftKey;
    var status = document.getElementById('draft-status');
    var errorBox = document.getElementById('form-error');
    var photos = document.getElementById('photos');
    var csrf = form.querySelector('input[name=_csrf]').value;
    var clientInput = form.querySelector('input[name=client_id]');

    function say(text) { if (status) status.textContent = text; }
    var confirmBox = document.getElementById('confirm-final');
    var confirmError = document.getElementById('confirm-error');
    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
      if (text) errorBox.scrollIntoView({ block: 'center' });
    }
    // Errors of an earlier attempt (the server's or ours) no longer apply
    // once the form changes: the banner and the marks on fields go.
    function clearStale() {
      if (!errorBox.hidden) { errorBox.textContent = ''; errorBox.hidden = true; }
      form.querySelectorAll('.rf-err').forEach(function (el) { el.classList.remove('rf-err'); });
      form.querySelectorAll('.rf-field-error').forEach(function (el) {
        if (el === confirmError) { el.hidden = true; el.textContent = ''; } else el.remove();
      });
    }

    // The draft: every named field but the token, and the uploaded photos.
    function collect() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === '_csrf' || el.name === 'confirm_final' || el.type === 'file') return;
        if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
        (values[el.name] = values[el.name] || []).push(el.value);
      });
      var shots = Array.prototype.map.call(photos.querySelectorAll('.rf-photo[data-id]'), function (f) {
        return { id: f.dataset.id, url: f.querySelector('img').getAttribute('src') };
      });
      return { client_id: clientInput.value, values: values, photos: shots, saved_at: Date.now() };
    }
    function save() {
      try {
        localStorage.setItem(key, JSON.stringify(collect()));
        say('草稿已保存在本机 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false }));
      } catch (e) {
        say('本机存储不可用，草稿无法保存');
      }
    }

    function addPhoto(id, url, caption) {
      if (photos.querySelector('.rf-photo[data-id="' + id + '"]')) return;
      var f = document.createElement('figure');
      f.className = 'rf-photo';
      f.dataset.id = id;
      f.innerHTML = '<img alt=""><input type="hidden" name="evidence_ids"><figcaption></figcaption>' +
        '<button type="button" class="rf-remove" aria-label="移除照片">×</button>';
      f.querySelector('img').src = url;
      f.querySelector('img').alt = '影像资料' + id;
      f.querySelector('input').value = id;
      f.querySelector('figcaption').textContent = caption || '已上传';
      photos.appendChild(f);
    }

    function restore(d) {
      clientInput.value = d.client_id;
      var v = d.values || {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === '_csrf' || el.name === 'client_id' || el.name === 'department_id' ||
            el.name === 'evidence_ids' || el.name === 'confirm_final' || el.type === 'file') return;
        var saved = v[el.name] || [];
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = saved.indexOf(el.value) >= 0;
        else if (saved.length) el.value = saved[0];
      });
      if (d.photos) {
        // The draft's photos win: one removed here stays removed.
        var keep = d.photos.map(function (p) { return String(p.id); });
        photos.querySelectorAll('.rf-photo[data-id]').forEach(function (f) {
          if (keep.indexOf(f.dataset.id) < 0) f.remove();
        });
        d.photos.forEach(function (p) { addPhoto(p.id, p.url); });
      }
      say('已恢复本机保存的草稿');
    }

    // Rows: a ticked item shows 是否存在问题; 是 makes 问题描述 required.
    function sync() {
      form.querySelectorAll('.rf-item').forEach(function (row) {
        var box = row.querySelector('.rf-check input');
        row.classList.toggle('on', box.checked);
        var yes = row.querySelector('input[type=radio][value=yes]');
        var desc = row.querySelector('.rf-desc');
        desc.hidden = !(box.checked && yes.checked);
      });
    }

    var draft = load(key);
    if (draft && draft.client_id) restore(draft);
    else {
      clientInput.value = uuid();
      save();
      say('');
    }
    // Server-listed photos of this department not yet in a result stay too.
    photos.querySelectorAll('.rf-photo').forEach(function (f) {
      if (!f.querySelector('.rf-remove')) {
        var b = document.createElement('button');
        b.type = 'button'; b.className = 'rf-remove'; b.setAttribute('aria-label', '移除照片'); b.textContent = '×';
        f.appendChild(b);
      }
    });
    sync();

    form.addEventListener('input', function () { clearStale(); sync(); save(); });
    form.addEventListener('change', function () { clearStale(); sync(); save(); });
    photos.addEventListener('click', function (e) {
      if (e.target.classList.contains('rf-remove')) {
        e.target.parentNode.remove();
        save();
      }
    });

    // Photos go up as they are taken, each with its own id (a retry is harmless).
    function upload(file, attempt, tmp) {
      var data = new FormData();
      data.append('_csrf', csrf);
      data.append('client_id', tmp.dataset.upload);
      data.append('department_id', form.dataset.department);
      data.append('file', file);
      tmp.querySelector('figcaption').textContent = '上传中…';
      return fetch('/m/tasks/' + form.dataset.task + '/evidence', {
        method: 'POST', body: data, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf }
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw { fatal: true, message: body.message || ('上传失败（' + r.status + '）') };
          tmp.remove();
          addPhoto(String(body.id), body.url);
          clearStale();
          save();
        });
      }).catch(function (err) {
        if (err && err.fatal) {
          tmp.querySelector('figcaption').textContent = '未上传';
          showError(file.name + '：' + err.message);
          setTimeout(function () { tmp.remove(); }, 4000);
          return;
        }
        if (attempt < 4) {
          tmp.querySelector('figcaption').textContent = '网络不稳定，重试中…';
          return new Promise(function (res) { setTimeout(res, 1500 * (attempt + 1)); })
            .then(function () { return upload(file, attempt + 1, tmp); });
        }
        tmp.querySelector('figcaption').textContent = '上传失败，请重新选择';
      });
    }
    // A correction keeps the original's photos: there is no picker then.
    var picker = document.getElementById('photo-input');
    if (picker) picker.addEventListener('change', function (e) {
      Array.prototype.forEach.call(e.target.files, function (file) {
        var tmp = document.createElement('figure');
        tmp.className = 'rf-photo pending';
        tmp.dataset.upload = uuid();
        tmp.innerHTML = '<img alt=""><figcaption></figcaption>';
        try { tmp.querySelector('img').src = URL.createObjectURL(file); } catch (x) {}
        photos.appendChild(tmp);
        upload(file, 0, tmp);
      });
      e.target.value = '';
    });

    // 提交: once at a time; success only when the server answered with the
    // submitted result. A lost connection keeps the draft and its id.
    var buttons = document.querySelectorAll('button[type=submit][form=result-form], #result-form button[type=submit]');
    var busy = false;
    function setBusy(on) {
      busy = on;
      buttons.forEach(function (b) { b.disabled = on; b.textContent = on ? '正在提交…' : '提交'; });
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (busy) return;
      if (photos.querySelector('.rf-photo.pending')) {
        showError('还有照片正在上传，请稍候再提交');
        return;
      }
      if (confirmBox && !confirmBox.checked) {
        // Beside the box, where the eye goes next; nothing is sent.
        showError('');
        confirmError.textContent = '提交后不可修改：请核对后勾选“我已核对，提交后不可修改”，再点提交';
        confirmError.hidden = false;
        confirmBox.closest('.rf-confirm').classList.add('rf-err');
        confirmBox.closest('.rf-confirm').scrollIntoView({ block: 'center' });
        confirmBox.focus();
        return;
      }
      save();
      showError('');
      setBusy(true);
      var body = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === 'file') return;
        if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
        body.append(el.name, el.value);
      });
      fetch(form.action, {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      }).then(function (r) {
        var path = new URL(r.url).pathname;
        // Success lands on the read-only result (a correction too).
        if (r.ok && r.redirected && (path === location.pathname || path === form.dataset.done)) {
          try { localStorage.removeItem(key); } catch (x) {}
          location.replace(r.url);
          return;
        }
        if (r.ok && path.indexOf('/login') === 0) {
          setBusy(false);
          showError('登录已过期。草稿已保存在本机，请重新登录后再提交，不会重复提交。');
          return;
        }
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var msg = doc.querySelector('.form-error, .error-message, main p');
          setBusy(false);
          showError(msg && msg.textContent.trim() ? msg.textContent.trim() : ('提交失败（' + r.status + '）'));
          if (doc.getElementById('result-readonly')) {
            // Already submitted elsewhere: show the stored result.
            setTimeout(function () { location.reload(); }, 1500);
          }
        });
      }).catch(function () {
        setBusy(false);
        showError('网络连接不稳定，未能提交。结果已保存在本机，请稍后再点“提交”，不会重复提交。');
      });
    });
  });
})();
