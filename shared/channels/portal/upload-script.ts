import { createHash } from 'node:crypto';

/**
 * The intake form's upload progress, as progressive enhancement (docs/channels.md): the one script the
 * portal serves, from `/portal/assets/upload.js` (CSP `script-src 'self'`; the pages carry no inline
 * script). Without it (JavaScript off, an old browser) the form posts as it always did.
 *
 * With it: choosing files lists them, each with a `<progress>`; submitting sends the same multipart
 * form with `XMLHttpRequest` and moves each file's bar as the upload passes its bytes (the files go in
 * form order, so a file's share of the bytes sent is known); the answer (the confirmation, or the form
 * with its errors) then replaces the page. A failed request falls back to the normal post. Text is put
 * in with `textContent` only; the labels come from the form's `data-` attributes.
 */
export const uploadScript = `(function () {
  'use strict';
  if (!window.FormData || !window.XMLHttpRequest || !('upload' in new XMLHttpRequest())) return;
  bind();

  // Binds the intake form on the page: once loaded, and again when an answer (the form with its
  // errors) has replaced the page, since scripts in the imported markup do not run.
  function bind() {
  var form = document.getElementById('intake');
  var input = document.getElementById('attachments');
  var list = document.getElementById('upload-progress');
  if (!form || !input || !list) return;
  var bars = [];

  function pct(n) { return Math.max(0, Math.min(100, Math.round(n))) + '%'; }

  function render() {
    while (list.firstChild) list.removeChild(list.firstChild);
    bars = [];
    for (var i = 0; i < input.files.length; i++) {
      var file = input.files[i];
      var li = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'name';
      name.textContent = file.name;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', file.name);
      var label = document.createElement('span');
      label.className = 'pct';
      label.textContent = pct(0);
      li.appendChild(name);
      li.appendChild(bar);
      li.appendChild(label);
      list.appendChild(li);
      bars.push({ size: file.size, bar: bar, label: label });
    }
  }

  function show(loaded, total) {
    // The files are the bulk of the body and go in order; what is not theirs is spread evenly.
    var sizes = 0;
    for (var i = 0; i < bars.length; i++) sizes += bars[i].size;
    var overhead = Math.max(0, total - sizes);
    var before = 0;
    for (var j = 0; j < bars.length; j++) {
      var b = bars[j];
      var start = before + (overhead * j) / Math.max(1, bars.length);
      var done = b.size ? ((loaded - start) / b.size) * 100 : loaded >= start ? 100 : 0;
      b.bar.value = Math.max(0, Math.min(100, done));
      b.label.textContent = pct(done);
      before += b.size;
    }
  }

  input.addEventListener('change', render);

  form.addEventListener('submit', function (event) {
    if (!input.files || input.files.length === 0) return;
    if (form.getAttribute('data-sending') === '1') { event.preventDefault(); return; }
    event.preventDefault();
    form.setAttribute('data-sending', '1');
    render();
    list.setAttribute('data-state', 'uploading');
    var status = document.createElement('li');
    status.id = 'upload-status';
    status.textContent = form.getAttribute('data-uploading') || '';
    list.insertBefore(status, list.firstChild);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.responseType = 'document';
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) show(e.loaded, e.total);
    });
    xhr.upload.addEventListener('load', function () {
      list.setAttribute('data-state', 'uploaded');
      for (var i = 0; i < bars.length; i++) { bars[i].bar.value = 100; bars[i].label.textContent = pct(100); }
    });
    function fallback() {
      status.textContent = form.getAttribute('data-upload-failed') || '';
      form.removeAttribute('data-sending');
      HTMLFormElement.prototype.submit.call(form);
    }
    xhr.addEventListener('load', function () {
      var doc = xhr.response;
      if (!doc || !doc.documentElement) { fallback(); return; }
      document.title = doc.title;
      document.replaceChild(document.importNode(doc.documentElement, true), document.documentElement);
      window.scrollTo(0, 0);
      bind();
    });
    xhr.addEventListener('error', fallback);
    xhr.addEventListener('abort', fallback);
    xhr.send(new FormData(form));
  });
  }
})();
`;

const version = createHash('sha256').update(uploadScript).digest('hex').slice(0, 12);

/** Where the pages load it from; the version in the query makes a long cache safe. */
export const uploadScriptPath = `/portal/assets/upload.js?v=${version}`;
