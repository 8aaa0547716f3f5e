/* CRM Lessons site: make every sidebar toggle work.
 *
 * The theme (pydata-sphinx-theme 0.17 under sphinx-book-theme 1.3) binds its click handlers to
 * the FIRST ".primary-toggle" and ".secondary-toggle" on the page, in the top header, which
 * sphinx-book-theme hides; the visible buttons (the ☰ menu and the page-contents button in the
 * article header) then do nothing on a phone. Each other toggle forwards its click to the bound one.
 */
document.addEventListener("DOMContentLoaded", function () {
  [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
    var buttons = Array.from(document.querySelectorAll(selector));
    var bound = buttons[0];
    buttons.slice(1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        bound.click();
      }, true);
    });
  });
});

/* Search: stem the query as the index was stemmed.
 *
 * The index (Sphinx's Chinese splitter, crm_lessons/course/sphinx_offline.py) keeps a Latin word
 * of 3 or more letters unstemmed when stemming would cut it below 3 letters ("nps" stays "nps"),
 * but the page's query stemmer cuts it ("nps" -> "np") and then matches every page that
 * imports numpy as np. The same rule on the query side (the Stemmer of language_data.js is
 * defined by the time the page is parsed, before the search runs).
 */
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Stemmer !== "function") return;
  var Original = Stemmer;
  Stemmer = function () {
    var inner = new Original();
    this.stemWord = function (word) {
      var stem = inner.stemWord(word);
      return word.length >= 3 && stem.length < 3 ? word : stem;
    };
  };
});
