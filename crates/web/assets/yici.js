// Small progressive enhancements; every page works without them.
(function () {
  // Disable a form's submit buttons once it is sent: a double click does nothing twice.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset.submitted) { e.preventDefault(); return; }
    form.dataset.submitted = '1';
    // A disabled button is left out of what the form sends: the button that
    // submitted (保存 or 下发) goes along as a hidden field instead.
    var by = e.submitter;
    if (by && by.name) {
      var keep = document.createElement('input');
      keep.type = 'hidden'; keep.name = by.name; keep.value = by.value;
      form.appendChild(keep);
    }
    form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
  });
  // 是否执法人员: the certificate number is required only for officers.
  function syncOfficer() {
    var yes = document.querySelector('input[name=is_officer][value=true]');
    var row = document.getElementById('certificate-row');
    if (!yes || !row) return;
    row.style.display = yes.checked ? '' : 'none';
  }
  document.addEventListener('change', function (e) {
    if (e.target && e.target.name === 'is_officer') syncOfficer();
  });
  document.addEventListener('DOMContentLoaded', syncOfficer);
  // The Content-Security-Policy runs no inline handlers: what used to be
  // onclick=/onchange=/javascript: is declared with data- attributes here.
  // data-confirm: a click goes on only once confirmed (删除).
  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-confirm]');
    if (el && !window.confirm(el.dataset.confirm)) e.preventDefault();
  });
  // data-back: back to the previous page; the link's own target without one.
  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-back]');
    if (el && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  // 定向抽取: 已选择 N 家 follows this page's ticks as they are made (the
  // server counts those of the other pages, carried in `picked`).
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (!el || el.name !== 'enterprise_id' || !el.form || el.form.id !== 'extract') return;
    var other = el.form.elements.picked ? el.form.elements.picked.value : '';
    var n = (other ? other.split(',').length : 0) +
      el.form.querySelectorAll('input[name=enterprise_id]:checked').length;
    var out = document.getElementById('picked-count');
    if (out) out.textContent = '已选择 ' + n + ' 家企业';
  });
  // Date fields are text inputs in the platform's format (2026-12-07), not
  // <input type=date>, which shows the computer's locale. What is typed as
  // 20261207, 2026/12/7 or 2026.12.7 is written out as 2026-12-07 on leaving
  // the field; data-min / data-max flag a day outside the range at once (the
  // server checks both anyway and says so in words).
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function normalDate(v) {
    var m = /^\s*(\d{4})[-\/.年]?(\d{1,2})[-\/.月]?(\d{1,2})日?\s*$/.exec(v);
    if (!m) return null;
    var d = new Date(+m[1], +m[2] - 1, +m[3]);
    if (d.getMonth() !== +m[2] - 1 || d.getDate() !== +m[3]) return null;
    return m[1] + '-' + pad(+m[2]) + '-' + pad(+m[3]);
  }
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (!el || !el.classList || !el.classList.contains('date-input') || el.maxLength !== 10) return;
    var v = el.value.trim();
    if (!v) { el.classList.remove('date-wrong'); el.title = ''; return; }
    var d = normalDate(v);
    if (d) el.value = d;
    var msg = !d ? '请按 2026-12-07 的格式填写日期'
      : (el.dataset.min && d < el.dataset.min) ? '日期不能早于 ' + el.dataset.min
      : (el.dataset.max && d > el.dataset.max) ? '日期不能晚于 ' + el.dataset.max : '';
    el.classList.toggle('date-wrong', !!msg);
    el.title = msg;
  });
  // data-print: prints the page (the print stylesheet leaves out the menus and forms).
  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-print]');
    if (el) { e.preventDefault(); window.print(); }
  });
  // data-submit-on-change: a filter applies as soon as it is chosen; the
  // fields named in data-clears depend on it and start over (地市 → 区县).
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (!el || !el.form || !el.hasAttribute('data-submit-on-change')) return;
    (el.dataset.clears || '').split(' ').forEach(function (name) {
      if (name && el.form.elements[name]) el.form.elements[name].value = '';
    });
    el.form.submit();
  });
  // data-upload-progress: the upload of a large file shows how far it has
  // gone (the import then shows its own progress on the job's page, where
  // the server's redirect leads). Without it the form posts as usual.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form.hasAttribute('data-upload-progress') || !window.FormData) return;
    var input = form.querySelector('input[type=file]');
    if (!input || !input.files.length) return; // the server says what is missing
    e.preventDefault();
    var box = document.getElementById('upload-progress');
    var bar = box.querySelector('.job-bar > span');
    var text = document.getElementById('upload-text');
    var mb = function (n) { return (n / 1048576).toFixed(1) + ' MB'; };
    var again = function (why) {
      text.textContent = why;
      delete form.dataset.submitted;
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = false; });
    };
    box.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.onprogress = function (p) {
      if (!p.lengthComputable) return;
      var pct = Math.floor(p.loaded * 100 / p.total);
      bar.style.width = pct + '%';
      text.textContent = '正在上传 ' + mb(p.loaded) + ' / ' + mb(p.total) + '（' + pct + '%）';
    };
    xhr.upload.onload = function () { bar.style.width = '100%'; text.textContent = '上传完成，正在读取文件…'; };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL.indexOf('/file-jobs/') >= 0) { location.assign(xhr.responseURL); return; }
      // A refusal (no file, an unreadable file) is the import page again.
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { again('上传失败，请检查网络后重新导入'); };
    xhr.send(new FormData(form));
  });
  // data-refresh-while: a running job's page fetches itself every second
  // and puts the new state in place, until the job has ended.
  (function follow() {
    var el = document.querySelector('[data-refresh-while]');
    if (!el || !window.fetch || !window.DOMParser) return;
    setTimeout(function () {
      fetch(location.href, { credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, 'text/html').getElementById(el.id);
          if (next) el.replaceWith(next);
          follow();
        })
        .catch(follow);
    }, 1000);
  })();
})();
