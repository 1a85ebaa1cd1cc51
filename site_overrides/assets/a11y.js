/* Accessibility fixes for markup that Material for MkDocs builds in the browser, where no template
 * override can reach it.
 *
 * Material wraps each code block's copy button in a <nav class="md-code__nav">: a page with three code
 * blocks gets three unnamed navigation landmarks, which screen readers list next to the real navigation
 * (axe-core: landmark-unique). A copy button is not navigation, so these get role="none" (allowed on
 * <nav>); the button keeps its name ("Copy to clipboard"). Material adds the navs whenever it mounts a
 * page's content (on load and after every instant navigation), so an observer catches them as they come.
 */
(function () {
  "use strict";

  function fix(root) {
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  fix(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        if (node.matches("nav.md-code__nav")) node.setAttribute("role", "none");
        else fix(node);
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
