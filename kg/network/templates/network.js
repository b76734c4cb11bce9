// Network view: every data string reaches the page as a text node (textContent,
// new Option), never as HTML. The data come from a JSON block whose <, > and &
// are escaped by the server.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("migkg-data").textContent);
  var ui = data.ui;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  // A tooltip as DOM: vis-network shows an Element title as is, a string as text.
  function tip(heading, rows) {
    var box = el("div", null, "migkg-tip");
    box.appendChild(el("strong", heading));
    var dl = el("dl");
    rows.forEach(function (r) {
      if (r[1] === "" || r[1] === null || r[1] === undefined) { return; }
      dl.appendChild(el("dt", r[0]));
      dl.appendChild(el("dd", r[1]));
    });
    box.appendChild(dl);
    return box;
  }

  var metric = data.metric;
  function sizeOf(n) { return n.m[metric] || 0; }

  var nodeItems = data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, shape: n.shape,
      color: { background: n.color, border: n.border,
               highlight: { background: n.color, border: "#000" },
               hover: { background: n.color, border: "#000" } },
      value: sizeOf(n), title: tip(n.name, n.tip)
    };
  });
  var edgeItems = data.edges.map(function (e) {
    return {
      id: e.id, from: e.from, to: e.to, arrows: data.directed ? "to" : "",
      color: { color: e.color, opacity: 0.7 }, width: e.width, dashes: !!e.dashes,
      title: tip(e.name, e.tip)
    };
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("migkg-network");
  var options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 1 },
    nodes: { scaling: { min: 8, max: 40, label: { enabled: true, min: 12, max: 22,
             drawThreshold: 6 } }, font: { size: 13 }, borderWidth: 1 },
    edges: { smooth: false, selectionWidth: 2 },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.nodes.length > 300 },
    physics: data.physics ? {
      enabled: true, solver: "forceAtlas2Based",
      stabilization: { enabled: true, iterations: 200, fit: true }
    } : { enabled: false }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.migkgNetwork = network;

  var ready = false;
  function markReady() {
    if (ready) { return; }
    ready = true;
    document.body.setAttribute("data-nodes-drawn",
                               String(Object.keys(network.getPositions()).length));
    document.body.setAttribute("data-ready", "1");
  }
  if (data.physics) {
    // Stabilise once, then freeze: nothing keeps moving (or eating CPU) afterwards.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      markReady();
    });
  } else {
    network.once("afterDrawing", markReady);
  }

  // Legends.
  var legend = document.getElementById("migkg-legend");
  data.legend.forEach(function (item) {
    var li = el("li");
    var sw = el("span", null, "swatch");
    sw.style.background = item.color;
    li.appendChild(sw);
    li.appendChild(el("span", item.label));
    legend.appendChild(li);
  });
  var rlegend = document.getElementById("migkg-relations");
  data.relations.forEach(function (item) {
    var li = el("li");
    var sw = el("span", null, "line");
    sw.style.background = item.color;
    li.appendChild(sw);
    li.appendChild(el("span", item.label));
    rlegend.appendChild(li);
  });

  // Filters: options built as text; codes compared, labels shown.
  var selects = {};
  Object.keys(data.filters).forEach(function (key) {
    var select = document.getElementById("migkg-filter-" + key);
    if (!select) { return; }
    // A page may render the options itself (readable before the script runs).
    if (select.options.length <= 1) {
      data.filters[key].forEach(function (opt) { select.add(new Option(opt[1], opt[0])); });
    }
    select.addEventListener("change", applyFilters);
    selects[key] = select;
  });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  // A node with a page (href, set by the web app to a local path) opens it on click or Enter.
  network.on("click", function (params) {
    if (params.nodes.length !== 1) { return; }
    var node = byId[params.nodes[0]];
    if (node && node.href && node.href.charAt(0) === "/") { window.location.assign(node.href); }
  });

  var status = document.getElementById("migkg-status");
  function showStatus(shownNodes, shownEdges, found) {
    var text = ui.shown.replace("{nodes}", shownNodes).replace("{edges}", shownEdges);
    if (found !== null) { text += " · " + ui.found.replace("{count}", found); }
    status.textContent = text;
  }

  function value(key) { return selects[key] ? selects[key].value : ""; }

  function applyFilters() {
    var domain = value("domain"), stage = value("stage"), type = value("type");
    var relation = value("relation");
    var actorOk = {};
    data.nodes.forEach(function (n) {
      if (!n.actor) { return; }
      actorOk[n.id] = (!domain || n.domains.indexOf(domain) >= 0) &&
        (!stage || n.stages.indexOf(stage) >= 0) && (!type || n.type === type);
    });
    // A non-actor node (source, stage, country) stays while a kept edge reaches a kept actor.
    var otherOk = {};
    data.edges.forEach(function (e) {
      if (relation && e.relation !== relation) { return; }
      var a = byId[e.from], b = byId[e.to];
      if (a.actor && !b.actor && actorOk[a.id]) { otherOk[b.id] = true; }
      if (b.actor && !a.actor && actorOk[b.id]) { otherOk[a.id] = true; }
    });
    var filtering = !!(domain || stage || type || relation);
    var visible = {};
    var nodeUpdates = data.nodes.map(function (n) {
      var ok = n.actor ? actorOk[n.id] : (!filtering || !!otherOk[n.id]);
      visible[n.id] = ok;
      return { id: n.id, hidden: !ok };
    });
    var shownEdges = 0;
    var edgeUpdates = data.edges.map(function (e) {
      var ok = visible[e.from] && visible[e.to] && (!relation || e.relation === relation);
      if (ok) { shownEdges += 1; }
      return { id: e.id, hidden: !ok };
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    var shownNodes = nodeUpdates.filter(function (u) { return !u.hidden; }).length;
    showStatus(shownNodes, shownEdges, null);
  }

  document.getElementById("migkg-metric").addEventListener("change", function (ev) {
    metric = ev.target.value;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, value: sizeOf(n) }; }));
  });

  var search = document.getElementById("migkg-search");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLocaleLowerCase();
    if (!q) { network.unselectAll(); applyFilters(); return; }
    var hits = data.nodes.filter(function (n) {
      return n.search.indexOf(q) >= 0 && !(nodes.get(n.id) || {}).hidden;
    }).map(function (n) { return n.id; });
    network.selectNodes(hits, false);
    if (hits.length) { network.focus(hits[0], { scale: 1.2, animation: false }); }
    showStatus(nodes.get({ filter: function (n) { return !n.hidden; } }).length,
               edges.get({ filter: function (e) { return !e.hidden; } }).length, hits.length);
  });

  showStatus(data.nodes.length, data.edges.length, null);
})();
