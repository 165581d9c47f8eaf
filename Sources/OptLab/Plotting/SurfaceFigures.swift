import Foundation

/// Figures of a surface problem: descent trajectories over the contour map (and their
/// animation), and the loss against step.
extension SuitePlotter {
    // MARK: Surfaces

    func surfaceFigures(_ problem: Suite.SurfaceProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                paths: [String: [[String]]], source: String) throws -> [Figure] {
        let surface = problem.surface
        let name = problem.name
        let floor = surface.minimumValue ?? 0

        // Each optimizer's best run, thinned to at most ~1,500 points.
        var candidates: [(entry: SuiteSummary.Entry, rows: [[String]], diverged: Bool)] = []
        for entry in ranking.entries {
            guard let id = entry.runIDs.first ?? entry.exampleRunID, let rows = paths[id], !rows.isEmpty else { continue }
            let stride = max(1, rows.count / 1500)
            let kept = rows.enumerated().filter { $0.offset % stride == 0 || $0.offset == rows.count - 1 }.map(\.element)
            let status = runs.rows.first { $0.first == id }.flatMap { RunStatus(rawValue: runs.value($0, "status")) }
            candidates.append((entry, kept, status == .diverged))
        }
        let start = candidates.first?.rows.first.flatMap { row in Double(row[2]).flatMap { x in Double(row[3]).map { Point(x, $0) } } } ?? surface.start
        let window = Self.trajectoryWindow(surface, paths: candidates.filter { !$0.diverged }.map(\.rows), start: start)

        try saveSurfaceGrid(surface, window, "\(name)-surface.dat")

        // Paths: a diverged one up to its first point outside the window (the line is clipped
        // at the border), its exit marked where it crosses the border; the others whole.
        var pathText = "# optimizer step x y loss loss_above_minimum\n"
        var blocks: [(entry: SuiteSummary.Entry, every: Int, diverged: Bool, end: Point?, exit: Point?)] = []
        var drawn: [[(step: Int, point: Point)]] = []
        var finiteMax = 0.0
        for candidate in candidates {
            var rows = candidate.rows
            var exit: Point?
            if candidate.diverged {
                let points = rows.map { Point(Double($0[2]) ?? .nan, Double($0[3]) ?? .nan) }
                if let outside = points.firstIndex(where: { !window.contains($0) }) {
                    rows = Array(rows.prefix(outside + 1))
                    exit = outside > 0 ? window.exit(from: points[outside - 1], to: points[outside]) : nil
                }
            }
            pathText += "# \(candidate.entry.optimizer)\n"
            drawn.append(rows.compactMap { row in Int(row[1]).map { ($0, Point(Double(row[2]) ?? .nan, Double(row[3]) ?? .nan)) } })
            for row in rows {
                let loss = Double(row[4]) ?? .nan
                let above = max(loss - floor, 1e-16)
                pathText += "\(candidate.entry.optimizer) \(row[1]) \(row[2]) \(row[3]) \(row[4]) \(Self.fmt(above))\n"
            }
            pathText += "\n\n"
            if !candidate.diverged {
                finiteMax = max(finiteMax, candidate.rows.compactMap { Double($0[4]) }.map { max($0 - floor, 1e-16) }.max() ?? 0)
            }
            let last = candidate.rows.last.flatMap { row in Double(row[2]).flatMap { x in Double(row[3]).map { Point(x, $0) } } }
            blocks.append((candidate.entry, max(1, rows.count / 12), candidate.diverged, candidate.diverged ? nil : last, exit))
        }
        try save(pathText, "\(name)-paths.dat")

        // Markers: start, each path's end (or exit), the minima inside the window.
        var marks = "$start << EOD\n\(start.x) \(start.y)\nEOD\n"
        marks += "$minima << EOD\n" + surface.minima.map { "\($0.x) \($0.y)" }.joined(separator: "\n") + "\nEOD\n"
        for (i, block) in blocks.enumerated() {
            marks += "$end\(i) << EOD\n" + (block.end.map { "\($0.x) \($0.y)" } ?? "nan nan") + "\nEOD\n"
            marks += "$exit\(i) << EOD\n" + (block.exit.map { "\($0.x) \($0.y)" } ?? "nan nan") + "\nEOD\n"
        }
        func layers(_ i: Int, titled: Bool) -> [String] {
            let block = blocks[i], color = PlotStyle.color(block.entry.optimizer)
            let title = titled ? "title \"\(Self.label(block.entry))\(block.diverged ? " [diverged]" : "")\"" : "notitle"
            return ["\"\(name)-paths.dat\" index \(i) using 3:4 with lines lw 2 lc rgb \"\(color)\" \(title)",
                    "\"\(name)-paths.dat\" index \(i) every \(block.every) using 3:4 with points pt 7 ps 0.6 lc rgb \"\(color)\" notitle",
                    "$end\(i) using 1:2 with points pt 7 ps 1.8 lc rgb \"\(color)\" notitle",
                    "$end\(i) using 1:2 with points pt 6 ps 1.8 lw 1.5 lc rgb \"#000000\" notitle",
                    "$exit\(i) using 1:2 with points pt 2 ps 2.6 lw 3 lc rgb \"\(color)\" notitle"]
        }
        var keyLayers = ["NaN with points pt 4 ps 1.6 lw 2 lc rgb \"#000000\" title \"start\"",
                         "NaN with points pt 6 ps 1.6 lw 1.5 lc rgb \"#000000\" title \"end\""]
        if blocks.prefix(4).contains(where: { $0.exit != nil }) {
            keyLayers.append("NaN with points pt 2 ps 2 lw 3 lc rgb \"#000000\" title \"left the window (diverged)\"")
        }
        var fixedMarks = ["$start using 1:2 with points pt 4 ps 2 lw 2 lc rgb \"#000000\" notitle"]
        if !surface.minima.isEmpty {
            fixedMarks.append("$minima using 1:2 with points pt 3 ps 2.2 lw 2 lc rgb \"#c00000\" title \"global minimum\"")
        }
        let formula = surface.formula.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "_", with: "\\\\_")

        // The overlay: the best-ranked four (all when there are at most four).
        let shown = Array(blocks.indices.prefix(4))
        var script = PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source)
        let more = blocks.count > shown.count ? "\\nthe \(shown.count) best-ranked of \(blocks.count) optimizers (all of them: \(name)-trajectories-panels)" : ""
        script += "set title \"\(surface.name): \(formula)\(more)\" noenhanced\n"
        script += Self.surfaceMap(window, data: "\(name)-surface.dat") + marks
        script += "plot " + (Self.surfaceMapLayers(data: "\(name)-surface.dat") + shown.flatMap { layers($0, titled: true) }
                             + fixedMarks + keyLayers).joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-trajectories.gp")

        // Small multiples: one panel per optimizer at its best setting, the same map in each.
        let columns = blocks.count <= 4 ? max(1, blocks.count) : (blocks.count <= 9 ? 3 : 4)
        let rows = max(1, (blocks.count + columns - 1) / columns)
        var panels = PlotStyle.header(name: "\(name)-trajectories-panels", title: "Descent trajectories on \(surface.name), one panel per optimizer",
                                      source: source, size: (1200, max(520, 60 + 340 * rows)))
        panels += Self.surfaceMap(window, data: "\(name)-surface.dat") + marks
        panels += """
            unset key
            set xlabel ""
            set ylabel ""
            set tics font ",8"
            set multiplot layout \(rows),\(columns) title "\(Gnuplot.text(surface.name)): each optimizer at its best setting. □ start, ● end, red ✱ minimum\(blocks.contains { $0.exit != nil } ? ", × where a diverged path leaves the window" : "")"

            """
        for i in blocks.indices {
            let block = blocks[i]
            panels += "set title \"\(Self.label(block.entry))\(block.diverged ? " [diverged]" : "")\" tc rgb \"\(PlotStyle.color(block.entry.optimizer))\"\n"
            panels += "plot " + (Self.surfaceMapLayers(data: "\(name)-surface.dat") + layers(i, titled: false) + fixedMarks)
                .joined(separator: ", \\\n     ") + "\n"
        }
        panels += "unset multiplot\n"
        try save(panels, "\(name)-trajectories-panels.gp")
        var animation: [Figure] = []
        if animate {
            // The same map, drawn 60 times with the paths cut at a growing step.
            let maxStep = blocks.compactMap { block in (block.entry.runIDs.first ?? block.entry.exampleRunID).flatMap { paths[$0]?.last.flatMap { Int($0[1]) } } }.max() ?? 1
            let setup = script.components(separatedBy: "\nplot \"")[0]
                .replacingOccurrences(of: PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source), with: "")
            // Each path's head at every frame: the last point at or before the frame's step.
            var heads = "$heads << EOD\n"
            for points in drawn {
                for k in 1...60 {
                    let limit = Double(k * maxStep) / 60
                    if let head = points.last(where: { Double($0.step) <= limit }), head.point.x.isFinite, head.point.y.isFinite {
                        heads += "\(k) \(head.point.x) \(head.point.y)\n"
                    }
                }
                heads += "\n\n"
            }
            heads += "EOD\n"
            var gif = "# Trajectories on \(surface.name) growing step by step. Generated by `optlab plot --animate`\n"
            gif += "# from \(source). Render from this folder: gnuplot \(name)-animation.gp\n"
            // 800 × 512 and a map of 8 shades: GIF's 256 colours then hold every optimizer's exact colour.
            gif += "set terminal gif animate delay 8 loop 0 size 800,512 enhanced font \"Helvetica,10\"\n"
            gif += "set output \"\(name)-animation.gif\"\nset encoding utf8\nset key outside right top box opaque\n" + setup + "\nset palette maxcolors 8\n" + heads
            let moving = blocks.enumerated().flatMap { i, block -> [String] in
                let color = PlotStyle.color(block.entry.optimizer)
                return ["\"\(name)-paths.dat\" index \(i) using 3:($2 <= S ? $4 : NaN) with lines lw 2 lc rgb \"\(color)\" title \"\(Self.label(block.entry))\"",
                        "$heads index \(i) using ($1 == k ? $2 : NaN):3 with points pt 7 ps 1.6 lc rgb \"\(color)\" notitle"]
            }
            var frame = Self.surfaceMapLayers(data: "\(name)-surface.dat") + moving
            frame.append("$start using 1:2 with points pt 4 ps 2 lw 2 lc rgb \"#000000\" title \"start\"")
            if !surface.minima.isEmpty { frame.append("$minima using 1:2 with points pt 3 ps 2.2 lw 2 lc rgb \"#c00000\" title \"global minimum\"") }
            gif += "do for [k=1:60] {\n    S = k * \(maxStep) / 60.0\n    set title sprintf(\"\(surface.name): step %d of \(maxStep)\", int(S))\n"
            gif += "    plot " + frame.joined(separator: ", \\\n         ") + "\n}\n"
            try save(gif, "\(name)-animation.gp")
            animation = [Figure(name: "\(name)-animation", title: "Trajectories on \(surface.name), animated")]
        }

        var loss = PlotStyle.header(name: "\(name)-loss", title: "Loss against step on \(surface.name)", source: source)
        let logarithmic = surface.minimumValue != nil
        loss += """
            set title "\(surface.name): loss\(logarithmic ? " above the minimum" : "") against step"
            set xlabel "step"
            set ylabel "\(logarithmic ? "f(x, y) − f_{min}" : "f(x, y)")"
            \(logarithmic ? "set logscale y\nset format y \"10^{%L}\"\n" : "")\(finiteMax > 0 && logarithmic ? "set yrange [*:\(finiteMax * 10)]\n" : "")
            """
        let lossLayers = blocks.enumerated().map { i, block in
            "\"\(name)-paths.dat\" index \(i) using 2:\(logarithmic ? 6 : 5) with lines lw 2 lc rgb \"\(PlotStyle.color(block.entry.optimizer))\" title \"\(Self.label(block.entry))\(block.diverged ? " [diverged]" : "")\""
        }
        loss += "plot " + lossLayers.joined(separator: ", \\\n     ") + "\n"
        try save(loss, "\(name)-loss.gp")
        return [Figure(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)"),
                Figure(name: "\(name)-trajectories-panels", title: "Descent trajectories on \(surface.name), one panel per optimizer"),
                Figure(name: "\(name)-loss", title: "Loss against step on \(surface.name)")] + animation
    }

    /// The function over `window` on a 160 × 160 grid (log-scaled above its minimum where it
    /// spans decades), for `surfaceMapLayers`.
    func saveSurfaceGrid(_ surface: Surface, _ window: PlotWindow, _ file: String) throws {
        let n = 160, floor = surface.minimumValue ?? 0
        let xs = (0..<n).map { window.x.lower + (window.x.upper - window.x.lower) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { window.y.lower + (window.y.upper - window.y.lower) * Double($0) / Double(n - 1) }
        var grid = "\(n) " + xs.map(Self.fmt).joined(separator: " ") + "\n"
        for y in ys {
            let values = xs.map { x -> Double in
                let f = surface.value(at: Point(x, y))
                return surface.logScaleLevels ? log10(f - floor + 1e-3) : f
            }
            grid += Self.fmt(y) + " " + values.map { String(format: "%.6g", $0) }.joined(separator: " ") + "\n"
        }
        try save(grid, file)
    }

    /// The region a figure of paths shows: the finished paths, the start and the minima
    /// inside the surface's plot window, padded by 8% and kept within that window.
    static func trajectoryWindow(_ surface: Surface, paths: [[[String]]], start: Point) -> PlotWindow {
        let points = paths.flatMap { rows in rows.compactMap { row in Double(row[2]).flatMap { x in Double(row[3]).map { Point(x, $0) } } } }
        return PlotWindow.around(points, start: start, surface: surface)
    }
}

/// The x and y ranges a map is drawn over.
struct PlotWindow {
    var x: Interval
    var y: Interval

    /// The region `points` (finite ones), the start and the minima inside the surface's plot
    /// window use, padded by 8% (at least 5% of the window wide) and kept within that window.
    static func around(_ points: [Point], start: Point, surface: Surface) -> PlotWindow {
        var xs = [start.x], ys = [start.y]
        for p in points where p.x.isFinite && p.y.isFinite { xs.append(p.x); ys.append(p.y) }
        for m in surface.minima where surface.xRange.lower <= m.x && m.x <= surface.xRange.upper
            && surface.yRange.lower <= m.y && m.y <= surface.yRange.upper { xs.append(m.x); ys.append(m.y) }
        func span(_ values: [Double], _ range: Interval) -> Interval {
            var low = max(values.min()!, range.lower), high = min(values.max()!, range.upper)
            let least = (range.upper - range.lower) * 0.05
            if high - low < least { let mid = (low + high) / 2; (low, high) = (mid - least / 2, mid + least / 2) }
            let pad = (high - low) * 0.08
            return Interval(max(range.lower, low - pad), min(range.upper, high + pad))
        }
        return PlotWindow(x: span(xs, surface.xRange), y: span(ys, surface.yRange))
    }

    func contains(_ p: Point) -> Bool {
        p.x.isFinite && p.y.isFinite && x.lower <= p.x && p.x <= x.upper && y.lower <= p.y && p.y <= y.upper
    }

    /// Where the segment from `inside` to `outside` crosses the border (the border point
    /// nearest `inside` along the segment); `inside` itself when `outside` is not finite.
    func exit(from inside: Point, to outside: Point) -> Point {
        guard outside.x.isFinite, outside.y.isFinite else { return inside }
        var t = 1.0
        let dx = outside.x - inside.x, dy = outside.y - inside.y
        if dx > 0, outside.x > x.upper { t = min(t, (x.upper - inside.x) / dx) }
        if dx < 0, outside.x < x.lower { t = min(t, (x.lower - inside.x) / dx) }
        if dy > 0, outside.y > y.upper { t = min(t, (y.upper - inside.y) / dy) }
        if dy < 0, outside.y < y.lower { t = min(t, (y.lower - inside.y) / dy) }
        return Point(inside.x + max(0, t) * dx, inside.y + max(0, t) * dy)
    }
}
