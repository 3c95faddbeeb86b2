/* search.js: the web edition's search page (written for press; no library).
   The index (search-index.js, made by press at build time) maps each word form of the book,
   folded, to its stem, and each stem to the units that hold it; so this script only folds the
   query the way press folded the text (NFD, marks removed, lower case) and looks words up.
   A word not in the book is tried as the start of words ("negotia" finds "negotiations").
   Every paragraph must hold every word of the query. Results are written as text nodes. */
(function () {
  'use strict';
  var data = window.pressSearch;
  var form = document.querySelector('form.search-form');
  var input = document.getElementById('q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  if (!data || !form || !input) { return; }
  var SHOWN = 100;
  var own = Object.prototype.hasOwnProperty;
  var keys = null;
  var decoded = Object.create(null);
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  // A stem's units: gaps in base 36 joined by commas, or "~" and a bitmap in base 64 (search.py).
  function postings(stem) {
    if (!own.call(data.stems, stem)) { return []; }
    if (!decoded[stem]) {
      var text = data.stems[stem], units = [];
      if (text.charAt(0) === '~') {
        for (var i = 1; i < text.length; i++) {
          var v = B64.indexOf(text.charAt(i));
          for (var b = 0; b < 6; b++) {
            if (v & (32 >> b)) { units.push(Math.floor(((i - 1) * 6 + b) / 8) * 8 + 7 - ((i - 1) * 6 + b) % 8); }
          }
        }
        units.sort(function (a, b) { return a - b; });
      } else {
        var at = -1;
        text.split(',').forEach(function (gap) { at += parseInt(gap, 36); units.push(at); });
      }
      decoded[stem] = units;
    }
    return decoded[stem];
  }

  // "Doc. 37, § 19 — p. 213", from the catalogue's words the index carries.
  function label(anchor, page) {
    var w = data.words, m = /^doc(\d+)(?:-p(\d+)|-fn(\d+))?/.exec(anchor);
    var place = w.doc_short.replace('{number}', m[1]);
    if (m[2]) { place += ', ' + w.paragraph_short.replace('{number}', m[2]); }
    if (m[3]) { place += ', ' + w.note_short.replace('{number}', m[3]); }
    return page ? w.search_result_label.replace('{place}', place).replace('{page}', w.page + '\u00a0' + page) : place;
  }

  function fold(text) {
    return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
      .replace(/\u03c2/g, '\u03c3').replace(/\u00df/g, 'ss');
  }

  function unitsOf(word) {
    var found = new Set();
    function add(stem) { postings(stem).forEach(function (u) { found.add(u); }); }
    if (own.call(data.forms, word)) { add(data.forms[word]); }
    add(word);
    if (!found.size && word.length >= 3) {
      keys = keys || Object.keys(data.forms).concat(Object.keys(data.stems));
      keys.forEach(function (key) {
        if (key.indexOf(word) === 0) { add(own.call(data.forms, key) ? data.forms[key] : key); }
      });
    }
    return found;
  }

  function search(query) {
    var words = fold(query).match(/[\p{L}\p{N}]+/gu) || [];
    if (!words.length) { return null; }
    var result = null;
    words.forEach(function (word) {
      var units = unitsOf(word);
      result = result === null ? units : new Set(Array.from(result).filter(function (u) { return units.has(u); }));
    });
    return Array.from(result).sort(function (a, b) { return a - b; });
  }

  function show(query) {
    var found = search(query);
    list.textContent = '';
    if (found === null) { status.textContent = ''; return; }
    status.textContent = found.length ? status.dataset.results.replace('{count}', found.length) : status.dataset.none;
    found.slice(0, SHOWN).forEach(function (i) {
      var unit = data.units[i];
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = unit[0].split('-')[0] + '.html#' + unit[0];
      a.textContent = label(unit[0], unit[1]);
      var p = document.createElement('p');
      p.textContent = unit[2];
      li.appendChild(a);
      li.appendChild(p);
      list.appendChild(li);
    });
    if (window.performance && performance.mark) { performance.mark('press-search-results'); }
  }

  var timer = null;
  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { show(input.value); }, 150);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    show(input.value);
  });
  var asked = new URLSearchParams(window.location.search).get('q');
  if (asked) {
    input.value = asked;
    show(asked);
  }
}());
