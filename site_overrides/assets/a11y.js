/* Accessibility fixes for markup that Material for MkDocs builds in the browser, where no template
 * override can reach it.
 *
 * Material wraps each code block's copy button in a <nav class="md-code__nav">: a page with three code
 * blocks gets three unnamed navigation landmarks, which screen readers list next to the real navigation
 * (axe-core: landmark-unique). A copy button is not navigation, so these get role="none" (allowed on
 * <nav>); the button keeps its name ("Copy to clipboard"). Material adds the navs whenever it mounts a
 * page's content (on load and after every instant navigation), so an observer catches them as they come.
 *
 * The skip link ("Skip to content") must move keyboard focus, not only the view: with instant navigation
 * Material takes the click and scrolls to the heading itself, and the browser's next Tab may then start
 * again from the top of the page. So the heading it points to takes the focus (tabindex -1: focusable by
 * script, not a Tab stop), now and once Material has scrolled.
 */
(function () {
  "use strict";

  function fix(root) {
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }

  function focusTarget(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").split("#")[1] || "");
    if (!id) return;
    var until = performance.now() + 1000;
    // Material may put the page's content in again while it handles the click: for a second, focus the
    // heading (as it is then) whenever the focus has fallen back to the page itself.
    (function settle() {
      var target = document.getElementById(id);
      if (target && (document.activeElement === document.body || document.activeElement === link ||
          !document.activeElement)) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
      if (performance.now() < until) requestAnimationFrame(settle);
    })();
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a.md-skip") : null;
    if (link) focusTarget(link);
  }, true);

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
