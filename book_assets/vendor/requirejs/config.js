// Loaded right after require.js and before the ipywidgets bundle (see _config.yml,
// nb_ipywidgets_js). The bundle defines named AMD modules (@jupyter-widgets/...) and finds
// its web fonts next to each module's URL; without this mapping RequireJS places those URLs
// under the page's own folder, where the fonts are not. Map them to vendor/html-manager/.
(function () {
  var here = document.currentScript && document.currentScript.src;
  if (!here || typeof require === "undefined" || !require.config) { return; }
  var vendor = here.replace(/requirejs\/config\.js(\?.*)?$/, "");
  require.config({
    paths: {
      "@jupyter-widgets": vendor + "html-manager",
      "@jupyter-widgets/html-manager/dist": vendor + "html-manager"
    }
  });
})();
