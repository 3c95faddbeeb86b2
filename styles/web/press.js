/* press.js: the web edition's own script (written for press; no library).
   Marks the page as scripted, so the "Cite" buttons show, and gives each paragraph's citation:
   the parts stand on the article (data-cite-*), the paragraph's number and printed page on the
   button and the paragraph. Without this script every paragraph number is still its permalink. */
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  // A permalink opened before the faces arrived may be scrolled off by their metrics: once they
  // are in, bring the paragraph back into view, unless the reader has scrolled since.
  var moved = false;
  window.addEventListener('wheel', function () { moved = true; }, { once: true, passive: true });
  window.addEventListener('keydown', function () { moved = true; }, { once: true });
  window.addEventListener('touchstart', function () { moved = true; }, { once: true, passive: true });
  if (window.location.hash && document.fonts) {
    document.fonts.ready.then(function () {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target && !moved) { target.scrollIntoView(); }
    });
  }
  var article = document.querySelector('article.document');
  if (!article) { return; }
  var box = null;

  function citation(p, number) {
    var d = article.dataset;
    var url = (d.citeUrl || window.location.href.split('#')[0]) + '#' + p.id;
    var parts = [d.citeBook, d.citeDocument, d.citeParagraph.replace('{number}', number)];
    if (p.dataset.page) { parts.push(d.citePage.replace('{page}', p.dataset.page)); }
    return parts.filter(Boolean).join(', ') + '. ' + url;
  }

  function show(p, label, text) {
    if (!box) {
      box = document.createElement('p');
      box.className = 'citation-box';
      box.setAttribute('role', 'status');
    }
    box.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = label + ' ';
    var span = document.createElement('span');
    span.className = 'citation-text';
    span.textContent = text;
    box.appendChild(strong);
    box.appendChild(span);
    p.insertAdjacentElement('afterend', box);
    return span;
  }

  article.addEventListener('click', function (event) {
    var button = event.target.closest('button.cite');
    if (!button) { return; }
    var p = button.closest('p');
    var text = citation(p, button.dataset.paragraph);
    var d = article.dataset;
    function fallback() {
      var span = show(p, d.citeText, text);
      var range = document.createRange();
      range.selectNodeContents(span);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { show(p, d.citeCopied, text); }, fallback);
    } else {
      fallback();
    }
  });
}());
