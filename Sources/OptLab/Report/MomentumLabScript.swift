extension MomentumLab {
    /// The page's script: builds each lab from the embedded JSON (`#lab-data`) with plain
    /// DOM and SVG calls, no library. Sliders (or a click on a grid cell) choose ξ and α;
    /// the address's `#lab=PROBLEM&xi=…&alpha=…` chooses on load and records each choice.
    static let script = #"""
    (function () {
      "use strict";
      var NS = "http://www.w3.org/2000/svg";
      var seedColours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#B8A000"];
      var labs = JSON.parse(document.getElementById("lab-data").textContent);

      function svg(tag, attrs, parent) {
        var e = document.createElementNS(NS, tag);
        for (var k in attrs) e.setAttribute(k, attrs[k]);
        if (parent) parent.appendChild(e);
        return e;
      }
      function node(tag, text, parent, cls) {
        var e = document.createElement(tag);
        if (text !== null) e.textContent = text;
        if (cls) e.className = cls;
        if (parent) parent.appendChild(e);
        return e;
      }
      function label(parent, x, y, text, anchor, size) {
        var t = svg("text", { x: x, y: y, "text-anchor": anchor || "middle", "font-size": size || 11 }, parent);
        t.textContent = text;
        return t;
      }
      function fmt(v) {
        if (v === null || v === undefined || !isFinite(v)) return "\u2014";
        var a = Math.abs(v);
        if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
        return String(+v.toPrecision(4));
      }
      function blues(t) {
        t = Math.max(0, Math.min(1, t));
        var a = [247, 251, 255], b = [8, 48, 107];
        return "rgb(" + a.map(function (c, i) { return Math.round(c + (b[i] - c) * t); }).join(",") + ")";
      }
      function scale(d0, d1, r0, r1, log) {
        var f = log ? Math.log : function (v) { return v; }, a = f(d0), b = f(d1);
        return function (v) { return b === a ? (r0 + r1) / 2 : r0 + (f(v) - a) / (b - a) * (r1 - r0); };
      }
      function line(points) {
        return points.map(function (p, i) { return (i ? "L" : "M") + p[0].toFixed(2) + " " + p[1].toFixed(2); }).join("");
      }
      function finite(values) { return values.filter(function (v) { return v !== null && isFinite(v) && v > 0; }); }
      function nearest(values, v) {
        var best = 0;
        values.forEach(function (x, i) { if (Math.abs(x - v) < Math.abs(values[best] - v)) best = i; });
        return best;
      }
      function hashParams() {
        var out = {};
        location.hash.replace(/^#/, "").split("&").forEach(function (part) {
          var kv = part.split("=");
          if (kv.length === 2) out[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1]);
        });
        return out;
      }
      // A plot area inside an SVG: margins, a box, and the range labels of both axes.
      function axes(parent, w, h, xr, yr, xlog, ylog, xname, yname) {
        var m = { l: 46, r: 8, t: 8, b: 30 };
        svg("rect", { x: m.l, y: m.t, width: w - m.l - m.r, height: h - m.t - m.b, fill: "none", stroke: "#999" }, parent);
        label(parent, m.l, h - m.b + 14, fmt(xr[0]), "start");
        label(parent, w - m.r, h - m.b + 14, fmt(xr[1]), "end");
        label(parent, (w + m.l) / 2, h - 4, xname);
        label(parent, m.l - 4, h - m.b, fmt(yr[0]), "end");
        label(parent, m.l - 4, m.t + 10, fmt(yr[1]), "end");
        var t = label(parent, 12, (h - m.b + m.t) / 2, yname);
        t.setAttribute("transform", "rotate(-90 12 " + (h - m.b + m.t) / 2 + ")");
        return { x: scale(xr[0], xr[1], m.l, w - m.r, xlog), y: scale(yr[0], yr[1], h - m.b, m.t, ylog) };
      }

      function Lab(root, lab, index) {
        var self = this;
        this.lab = lab; this.index = index; this.target = 0; this.cellAt = {};
        lab.cells.forEach(function (c, k) {
          self.cellAt[lab.xis.indexOf(c.xi) + "," + lab.alphas.indexOf(c.alpha)] = k;
        });
        node("h3", lab.problem + ": momentum \u03be \u00d7 \u03b1, " + lab.unit + " to the target", root);
        var controls = node("div", null, root, "controls");
        this.xiInput = this.slider(controls, "\u03be (momentum)", lab.xis.length);
        this.alphaInput = this.slider(controls, "\u03b1 (learning rate)", lab.alphas.length);
        if (lab.targets.length > 1) {
          var pick = node("label", "target ", controls), select = node("select", null, pick);
          lab.targets.forEach(function (t, i) { node("option", t.name, select).value = String(i); });
          select.addEventListener("change", function () { self.target = +select.value; self.drawGrid(); self.show(); });
        }
        this.gridSvg = svg("svg", { id: "lab-" + index + "-grid", "class": "grid" }, node("div", null, root, "gridbox"));
        this.drawGrid();
        var row = node("div", null, root, "row");
        var left = node("div", null, row, "panel");
        if (lab.kind === "surface") this.buildMap(left); else this.buildCurves(left);
        if (lab.theory) this.buildTheory(node("div", null, row, "panel"));
        this.readout = node("p", "", root, "readout");
        this.readout.id = "lab-" + index + "-readout";
        [this.xiInput, this.alphaInput].forEach(function (input) {
          input.addEventListener("input", function () { self.select(+self.xiInput.value, +self.alphaInput.value, true); });
        });
      }

      Lab.prototype.slider = function (parent, name, count) {
        var holder = node("label", name + " ", parent), input = node("input", null, holder);
        input.type = "range"; input.min = "0"; input.max = String(count - 1); input.step = "1";
        input.setAttribute("aria-label", name);
        holder.appendChild(document.createTextNode(" "));
        input.valueText = node("b", "", holder);
        return input;
      };

      Lab.prototype.cell = function () {
        var k = this.cellAt[this.i + "," + this.j];
        return k === undefined ? null : k;
      };

      // The grid of cells: the chosen target's mean steps (epochs), reached/repeats, div.
      Lab.prototype.drawGrid = function () {
        var self = this, lab = this.lab, g = this.gridSvg, target = lab.targets[this.target];
        while (g.firstChild) g.removeChild(g.firstChild);
        var cw = 58, ch = 26, left = 46, top = 34, w = left + cw * lab.alphas.length + 4, h = top + ch * lab.xis.length + 4;
        g.setAttribute("viewBox", "0 0 " + w + " " + h);
        g.setAttribute("width", String(Math.round(w * 1.25)));
        label(g, left + cw * lab.alphas.length / 2, 11, "\u03b1 \u2192   " + lab.unit + " to " + target.name + " (darker: more)");
        label(g, 12, top - 6, "\u03be");
        var reached = finite(target.mean), lo = Math.min.apply(null, reached), hi = Math.max.apply(null, reached);
        var shade = scale(lo, hi, 0.15, 0.85, true);
        this.rects = {};
        lab.alphas.forEach(function (a, j) { label(g, left + cw * (j + 0.5), top - 6, fmt(a)); });
        lab.xis.forEach(function (xi, i) {
          label(g, left - 4, top + ch * (i + 0.65), fmt(xi), "end");
          lab.alphas.forEach(function (a, j) {
            var k = self.cellAt[i + "," + j];
            if (k === undefined) return;
            var mean = target.mean[k], n = target.repeats[k], r = target.reached[k], d = target.diverged[k];
            var t = mean === null ? 0 : shade(mean);
            var fill = d === n ? "#f4c7b8" : (mean === null ? "#eeeeee" : blues(t));
            var rect = svg("rect", { x: left + cw * j, y: top + ch * i, width: cw - 2, height: ch - 2, fill: fill, "class": "cell",
                                     "data-xi": xi, "data-alpha": a }, g);
            var text = d === n ? "div" : (mean === null ? "\u2014" : fmt(Math.round(mean * 10) / 10) + (r < n ? " (" + r + "/" + n + ")" : ""));
            var tx = label(g, left + cw * (j + 0.5) - 1, top + ch * (i + 0.65), text, "middle", r < n && mean !== null ? 9 : 11);
            tx.setAttribute("fill", t > 0.55 ? "#fff" : "#111");
            tx.setAttribute("pointer-events", "none");
            rect.addEventListener("click", function () { self.select(i, j, true); });
            self.rects[i + "," + j] = rect;
          });
        });
        if (this.i !== undefined) this.highlight();
      };

      Lab.prototype.highlight = function () {
        for (var key in this.rects) this.rects[key].setAttribute("class", key === this.i + "," + this.j ? "cell on" : "cell");
      };

      Lab.prototype.buildMap = function (parent) {
        var lab = this.lab, map = lab.surface, n = map.size, w = 420;
        var h = Math.max(240, Math.min(520, w * (map.y[1] - map.y[0]) / (map.x[1] - map.x[0])));
        var g = svg("svg", { viewBox: "0 0 " + w + " " + h, id: "lab-" + this.index + "-map" }, parent);
        this.px = scale(map.x[0], map.x[1], 0, w); this.py = scale(map.y[0], map.y[1], h, 0);
        var cw = w / n, ch = h / n;
        for (var r = 0; r < n; r++) {
          for (var c = 0; c < n; c++) {
            svg("rect", { x: (c * cw).toFixed(2), y: (h - (r + 1) * ch).toFixed(2), width: (cw + 0.6).toFixed(2),
                          height: (ch + 0.6).toFixed(2), fill: blues(0.05 + 0.6 * map.shade[r * n + c]) }, g);
          }
        }
        var clip = svg("clipPath", { id: "lab-" + this.index + "-clip" }, g);
        svg("rect", { x: 0, y: 0, width: w, height: h }, clip);
        var self = this;
        map.minima.forEach(function (m) {
          var x = self.px(m[0]), y = self.py(m[1]);
          if (x >= 0 && x <= w && y >= 0 && y <= h) label(g, x, y + 5, "\u2605", "middle", 16).setAttribute("fill", "#000");
        });
        svg("circle", { cx: this.px(map.start[0]), cy: this.py(map.start[1]), r: 5, fill: "#fff", stroke: "#000", "stroke-width": 1.5 }, g);
        this.path = svg("path", { id: "lab-" + this.index + "-path", fill: "none", stroke: "#D55E00", "stroke-width": 2,
                                  "clip-path": "url(#lab-" + this.index + "-clip)" }, g);
        this.end = svg("circle", { r: 4.5, fill: "#D55E00", stroke: "#000" }, g);
        this.exit = label(g, 0, 0, "\u2716", "middle", 16);
        this.exit.setAttribute("fill", "#b00000");
        label(g, 4, h - 4, "x " + fmt(map.x[0]) + " \u2026 " + fmt(map.x[1]) + ", y " + fmt(map.y[0]) + " \u2026 " + fmt(map.y[1]), "start", 10);
        this.lossSvg = svg("svg", { viewBox: "0 0 420 180", id: "lab-" + this.index + "-loss" }, parent);
      };

      Lab.prototype.drawPath = function (run, status) {
        var p = this.lab.paths[run.id], w = 420, self = this;
        var box = this.path.ownerSVGElement.viewBox.baseVal, h = box.height;
        if (!p || p.x.length === 0) { this.path.setAttribute("d", ""); return; }
        var pts = p.x.map(function (x, k) { return [self.px(x), self.py(p.y[k])]; });
        var inside = function (q) { return q[0] >= 0 && q[0] <= w && q[1] >= 0 && q[1] <= h; };
        // A diverged run is drawn until it leaves the window, where the exit mark goes; any
        // other run whole (clipped to the window), with its end marked.
        var diverged = p.escaped || status === "diverged", last = pts.length - 1, left = -1;
        if (diverged) for (var k = 0; k < pts.length; k++) if (!inside(pts[k])) { left = k; break; }
        if (left >= 0) last = left;
        this.path.setAttribute("d", line(pts.slice(0, last + 1)));
        var leaves = diverged;
        var mark = left > 0 ? pts[left - 1] : pts[last];
        this.end.setAttribute("visibility", leaves ? "hidden" : "visible");
        this.end.setAttribute("cx", pts[last][0]); this.end.setAttribute("cy", pts[last][1]);
        this.exit.setAttribute("visibility", leaves ? "visible" : "hidden");
        this.exit.setAttribute("x", Math.max(8, Math.min(w - 8, mark[0]))); this.exit.setAttribute("y", Math.max(14, Math.min(h - 2, mark[1] + 5)));
        // The loss against the step.
        var g = this.lossSvg;
        while (g.firstChild) g.removeChild(g.firstChild);
        var losses = finite(p.loss);
        if (losses.length < 2) return;
        var hi = Math.max.apply(null, losses), lo = Math.max(Math.min.apply(null, losses), hi * 1e-16);
        if (hi <= lo) hi = lo * 10;
        var ax = axes(g, 420, 180, [p.step[0], Math.max(p.step[p.step.length - 1], 1)], [lo, hi], false, true, this.lab.unit, "loss");
        var pl = [];
        p.step.forEach(function (s, k) { var v = p.loss[k]; if (v !== null && v > 0) pl.push([ax.x(s), ax.y(Math.max(v, lo))]); });
        svg("path", { d: line(pl), fill: "none", stroke: "#D55E00", "stroke-width": 1.6, id: "lab-" + this.index + "-losscurve" }, g);
      };

      Lab.prototype.buildCurves = function (parent) {
        var lab = this.lab, all = [], maxEpoch = 1;
        for (var id in lab.curves) {
          all = all.concat(finite(lab.curves[id].train), finite(lab.curves[id].validation));
          maxEpoch = Math.max(maxEpoch, lab.curves[id].epoch[lab.curves[id].epoch.length - 1] || 1);
        }
        var hi = Math.max.apply(null, all);
        this.curveRange = { lo: Math.max(Math.min.apply(null, all), hi * 1e-12), hi: hi, maxEpoch: maxEpoch };
        this.curveSvg = svg("svg", { viewBox: "0 0 420 300", id: "lab-" + this.index + "-curves" }, parent);
      };

      Lab.prototype.drawCurves = function (cell) {
        var g = this.curveSvg, lab = this.lab, r = this.curveRange;
        while (g.firstChild) g.removeChild(g.firstChild);
        if (!(r.hi > r.lo)) return;
        var ax = axes(g, 420, 300, [0, r.maxEpoch], [r.lo, r.hi], false, true, "epoch", "loss (solid: training, dashed: validation)");
        cell.runs.forEach(function (run, k) {
          var c = lab.curves[run.id], colour = seedColours[k % seedColours.length];
          if (!c) return;
          [["train", ""], ["validation", "5 4"]].forEach(function (which) {
            var pts = [];
            c.epoch.forEach(function (e, q) { var v = c[which[0]][q]; if (v !== null && v > 0) pts.push([ax.x(e), ax.y(Math.max(v, r.lo))]); });
            if (pts.length) svg("path", { d: line(pts), fill: "none", stroke: colour, "stroke-width": 1.6, "stroke-dasharray": which[1],
                                          "class": "curve", "data-run": run.id }, g);
          });
          label(g, 410, 20 + 13 * k, "repeat " + run.repeat + (run.status === "ok" ? "" : " (" + run.status + ")"), "end", 11)
            .setAttribute("fill", colour);
        });
      };

      Lab.prototype.buildTheory = function (parent) {
        var th = this.lab.theory, self = this, w = 360, h = 260;
        node("div", "Heavy-ball theory: \u03c1(\u03b1, \u03be) with Hessian eigenvalues " + th.eigenvalues.map(fmt).join(", ") +
             " (grey: \u03c1 \u2265 1, diverges; red: \u03b1 = 2(1 + \u03be)/\u03bb_max)", parent);
        var g = svg("svg", { viewBox: "0 0 " + w + " " + h, id: "lab-" + this.index + "-theory" }, parent);
        var ax = axes(g, w, h, [th.alphaGrid[0], th.alphaGrid[th.alphaGrid.length - 1]], [0, 1], true, false, "\u03b1", "\u03be");
        var na = th.alphaGrid.length, nx = th.xiGrid.length, lo = Math.min.apply(null, th.rho);
        th.xiGrid.forEach(function (xi, r) {
          th.alphaGrid.forEach(function (a, c) {
            var x0 = ax.x(c ? Math.sqrt(a * th.alphaGrid[c - 1]) : a), x1 = ax.x(c < na - 1 ? Math.sqrt(a * th.alphaGrid[c + 1]) : a);
            var y0 = ax.y(r < nx - 1 ? (xi + th.xiGrid[r + 1]) / 2 : 1), y1 = ax.y(r ? (xi + th.xiGrid[r - 1]) / 2 : 0);
            var rho = th.rho[r * na + c];
            svg("rect", { x: x0.toFixed(2), y: y0.toFixed(2), width: (x1 - x0 + 0.5).toFixed(2), height: (y1 - y0 + 0.5).toFixed(2),
                          fill: rho >= 1 ? "#dddddd" : blues(0.1 + 0.8 * (1 - rho) / Math.max(1e-9, 1 - lo)) }, g);
          });
        });
        var edge = th.boundary.filter(function (p) { return p[0] >= th.alphaGrid[0] && p[0] <= th.alphaGrid[na - 1]; });
        if (edge.length) svg("path", { d: line(edge.map(function (p) { return [ax.x(p[0]), ax.y(p[1])]; })), stroke: "#c00000",
                                       "stroke-width": 2, fill: "none" }, g);
        this.lab.cells.forEach(function (c) {
          svg("circle", { cx: ax.x(c.alpha), cy: ax.y(c.xi), r: 2.5, fill: "#fff", stroke: "#000", "stroke-width": 0.8 }, g);
        });
        this.theoryMark = svg("circle", { r: 6, fill: "none", stroke: "#D55E00", "stroke-width": 2.5 }, g);
        this.theoryAxes = ax;
        // Measured against predicted steps, every cell that reached the target.
        var target = this.lab.targets.filter(function (t) { return t.name.indexOf("distance_") === 0; })[0] || this.lab.targets[0];
        var pairs = [];
        this.lab.cells.forEach(function (c, k) {
          if (target.mean[k] !== null && th.predicted[k] !== null) pairs.push([th.predicted[k], target.mean[k], k]);
        });
        node("div", "Measured " + this.lab.unit + " to " + target.name + " against ln(tolerance/d\u2080)/ln \u03c1 (line: equal)", parent);
        var s = svg("svg", { viewBox: "0 0 360 230", id: "lab-" + this.index + "-scatter" }, parent);
        if (pairs.length === 0) return;
        var vals = pairs.map(function (p) { return p[0]; }).concat(pairs.map(function (p) { return p[1]; }));
        var lo2 = Math.min.apply(null, vals), hi2 = Math.max.apply(null, vals);
        if (hi2 <= lo2) hi2 = lo2 * 2;
        var sx = axes(s, 360, 230, [lo2, hi2], [lo2, hi2], true, true, "predicted", "measured");
        svg("path", { d: line([[sx.x(lo2), sx.y(lo2)], [sx.x(hi2), sx.y(hi2)]]), stroke: "#888", "stroke-dasharray": "4 3" }, s);
        this.scatter = {};
        pairs.forEach(function (p) {
          self.scatter[p[2]] = svg("circle", { cx: sx.x(p[0]), cy: sx.y(p[1]), r: 3.5, fill: "#0072B2", "fill-opacity": 0.7 }, s);
        });
      };

      Lab.prototype.select = function (i, j, record) {
        var lab = this.lab;
        this.i = i; this.j = j;
        this.xiInput.value = String(i); this.alphaInput.value = String(j);
        this.xiInput.valueText.textContent = fmt(lab.xis[i]);
        this.alphaInput.valueText.textContent = fmt(lab.alphas[j]);
        this.highlight();
        if (record && history.replaceState) {
          history.replaceState(null, "", "#lab=" + encodeURIComponent(lab.problem) + "&xi=" + lab.xis[i] + "&alpha=" + lab.alphas[j]);
        }
        this.show();
      };

      Lab.prototype.show = function () {
        var lab = this.lab, k = this.cell(), xi = lab.xis[this.i], alpha = lab.alphas[this.j];
        var text = "\u03be = " + fmt(xi) + ", \u03b1 = " + fmt(alpha) + " (effective step \u03b1/(1 \u2212 \u03be) = " + fmt(alpha / (1 - xi)) + "): ";
        if (k === null) { this.readout.textContent = text + "not in the sweep."; return; }
        var cell = lab.cells[k], target = lab.targets[this.target];
        var runs = cell.runs.length, div = target.diverged[k];
        text += target.mean[k] === null ? "no run reached " + target.name
          : target.name + " reached in " + fmt(target.mean[k]) + " " + lab.unit + " (mean of " + target.reached[k] + "/" + runs + " runs)";
        if (div > 0) text += "; " + div + "/" + runs + " diverged";
        if (lab.kind === "surface") {
          this.drawPath(cell.runs[0], cell.runs[0].status);
          if (runs > 1) text += "; path of repeat " + cell.runs[0].repeat;
        } else {
          this.drawCurves(cell);
          text += "; curves of " + runs + " seed" + (runs === 1 ? "" : "s");
        }
        var th = lab.theory;
        if (th) {
          this.theoryMark.setAttribute("cx", this.theoryAxes.x(alpha)); this.theoryMark.setAttribute("cy", this.theoryAxes.y(xi));
          text += ". Theory: \u03c1 = " + fmt(th.cellRho[k]) +
            (th.predicted[k] === null ? " \u2265 1, no convergence predicted" : ", predicted " + fmt(th.predicted[k]) + " steps");
          for (var key in this.scatter) this.scatter[key].setAttribute("r", +key === k ? 7 : 3.5);
        }
        this.readout.textContent = text + ".";
      };

      Lab.prototype.fromHash = function (params) {
        var lab = this.lab;
        if (params.lab === lab.problem && params.xi !== undefined && params.alpha !== undefined) {
          this.select(nearest(lab.xis, +params.xi), nearest(lab.alphas, +params.alpha), false);
          return true;
        }
        return false;
      };

      var built = labs.map(function (lab, index) {
        var root = document.getElementById("lab-" + index), item = new Lab(root, lab, index);
        if (item.fromHash(hashParams())) {
          root.scrollIntoView();
        } else {
          var t = lab.targets[0], best = null;
          // The fastest cell every repeat of which reached the target (else the fastest at all).
          [true, false].forEach(function (complete) {
            lab.cells.forEach(function (c, k) {
              if (best !== null && complete === false) return;
              if (t.mean[k] === null || (complete && t.reached[k] < t.repeats[k])) return;
              if (best === null || t.mean[k] < t.mean[best]) best = k;
            });
          });
          var c = lab.cells[best === null ? 0 : best];
          item.select(lab.xis.indexOf(c.xi), lab.alphas.indexOf(c.alpha), false);
        }
        return item;
      });
      window.addEventListener("hashchange", function () {
        var params = hashParams();
        built.forEach(function (item) { item.fromHash(params); });
      });
      document.body.setAttribute("data-lab-ready", String(built.length));
    })();
    """#
}
