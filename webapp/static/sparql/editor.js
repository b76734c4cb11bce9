// The /query editor: YASGUI over this site's /sparql, nothing asked of any other server.
// Without JavaScript the page's plain form sends the query to /sparql instead.
// - remote autocompleters (prefix.cc prefixes, LOV properties and classes) and the default
//   endpoint list (DBpedia, Wikidata) are turned off before YASGUI starts;
// - no persistence (each visit starts from the page's query: the example or ?query=);
// - the named queries are examples: a click loads one (title in the page's language);
// - #share always links to /query?query=<the current text>, the shareable URL.
(function () {
  "use strict";
  var mount = document.getElementById("yasgui");
  var dataEl = document.getElementById("editor-data");
  if (!mount || !dataEl || typeof Yasgui === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var textarea = document.getElementById("query-text");
  var share = document.getElementById("share");
  var endpoint = new URL(data.endpoint, window.location.href).href;

  var yasqeDefaults = Yasgui.Yasqe.defaults;
  yasqeDefaults.autocompleters.splice(0, yasqeDefaults.autocompleters.length, "variables");
  Yasgui.defaults.endpointCatalogueOptions.getData = function () { return []; };
  Yasgui.defaults.yasr.prefixes = {};

  var yasgui = new Yasgui(mount, {
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return []; }, keys: [] },
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle"
    },
    yasqe: { persistenceId: null, consumeShareLink: null, createShareableLink: null },
    yasr: { persistenceId: null }
  });
  window.migkgYasgui = yasgui;
  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  yasqe.setValue(textarea.value);
  document.getElementById("plain-form").hidden = true;

  function shareUrl(text) {
    return data.editor + "?query=" + encodeURIComponent(text);
  }
  function updateShare() {
    share.href = shareUrl(yasqe.getValue());
  }
  yasqe.on("change", updateShare);
  updateShare();

  document.getElementById("examples").addEventListener("click", function (event) {
    var link = event.target.closest("a[data-example]");
    if (!link) { return; }
    var name = link.getAttribute("data-example");
    var example = data.examples.find(function (e) { return e.name === name; });
    if (!example) { return; }
    event.preventDefault();
    yasqe.setValue(example.query);
    tab.setName(example.title);
    window.history.replaceState(null, "", link.getAttribute("href"));
    yasqe.query();
  });
  document.body.setAttribute("data-editor-ready", "1");
}());
