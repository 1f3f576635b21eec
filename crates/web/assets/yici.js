// Small progressive enhancements; every page works without them.
(function () {
  // Disable a form's submit buttons once it is sent: a double click does nothing twice.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset.submitted) { e.preventDefault(); return; }
    form.dataset.submitted = '1';
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
})();
