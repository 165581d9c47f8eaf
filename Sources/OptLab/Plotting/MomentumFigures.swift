import Foundation

/// Figures of a momentum sweep: steps or epochs to target over (ξ, α), and the loss
/// curves or trajectories of chosen cells.
extension SuitePlotter {
    // MARK: The momentum exercise

    /// Epochs (steps) to a target over ξ × α, the values printed in the cells; diverged
    /// cells marked ×, cells where no run reached the target left blank.
    func momentumFigure(_ a: MomentumAnalysis, source: String) throws -> Figure {
        let name = "\(a.problem)-momentum-\(a.target)"
        var text = "# xi_index alpha_index mean_to_target diverged label label_colour\n"
        // Labels dark on the bright end of the palette, white on the dark end.
        let reached = a.cells.compactMap(\.meanToTarget)
        let (low, high) = (reached.min() ?? 0, reached.max() ?? 1)
        for (i, xi) in a.xis.enumerated() {
            for (j, alpha) in a.alphas.enumerated() {
                let c = a.cell(xi: xi, alpha: alpha)
                let mean = c?.meanToTarget ?? .nan
                // Whole numbers without ".0"; a cell reached by only some repeats says so: "19 (2/3)".
                var label = c?.meanToTarget.map { $0 == $0.rounded() ? String(format: "%.0f", $0) : String(format: "%.1f", $0) } ?? "-"
                if let c, c.meanToTarget != nil, c.reached < c.repeats { label += " (\(c.reached)/\(c.repeats))" }
                let position = high > low && mean.isFinite ? (mean - low) / (high - low) : 0
                // Blank (unreached) cells show the white background: their "-" in black too.
                let colour = position > 0.55 || !mean.isFinite ? 0x000000 : 0xFFFFFF
                text += "\(j) \(i) \(Self.fmt(mean)) \((c?.diverged ?? 0) > 0 ? 1 : 0) \"\(label)\" \(colour)\n"
            }
        }
        try save(text, "\(name).dat")
        let title = "\(a.problem): \(a.unit) to \(a.target.replacingOccurrences(of: "_", with: " ")) over momentum ξ × learning rate α"
        var script = PlotStyle.header(name: name, title: title, source: source)
        script += """
            set title "\(Gnuplot.text(title)) (× diverged, blank: not reached)"
            unset key
            set palette defined (0 "#0d0887", 1 "#7e03a8", 2 "#cc4778", 3 "#f89540", 4 "#f0f921")
            set cblabel "\(a.unit) to target (mean over repeats)"
            set xtics (\(a.alphas.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")))
            set ytics (\(a.xis.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")))
            set xlabel "learning rate α"
            set ylabel "momentum ξ"
            set xrange [-0.5:\(Double(a.alphas.count) - 0.5)]
            set yrange [-0.5:\(Double(a.xis.count) - 0.5)]
            plot "\(name).dat" using 1:2:3 with image, \\
                 "" using 1:2:5:6 with labels font ",10" tc rgb variable, \\
                 "" using 1:($4 > 0 ? $2 : NaN) with points pt 2 ps 3 lw 2 lc rgb "#000000"

            """
        try save(script, "\(name).gp")
        return Figure(name: name, title: title)
    }

    /// Loss curves (networks) or trajectories (surfaces) of the analysis's chosen cells,
    /// mean over repeats for networks, the first repeat for surfaces.
    func momentumCellsFigure(_ a: MomentumAnalysis, problem: Suite.Problem, runs: Table, source: String) throws -> Figure? {
        let name = "\(a.problem)-momentum-cells-\(a.target)"
        let chosen = a.chosenCells
        let colors = ["#D55E00", "#000000", "#7F7F7F", "#0072B2", "#009E73"]
        func members(_ c: MomentumAnalysis.Cell) -> [String] {
            runs.rows.filter { runs.value($0, "problem") == a.problem && runs.value($0, "optimizer") == "momentum"
                && runs.number($0, "momentum") == c.xi && runs.number($0, "lr") == c.alpha }.map { runs.value($0, "run_id") }
        }
        func label(_ c: MomentumAnalysis.Cell, _ why: String) -> String { "ξ = \(Self.short(c.xi)), α = \(Self.short(c.alpha)) (\(why))" }
        switch problem {
        case .network:
            let ids = chosen.map { members($0.cell) }
            let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: Set(ids.flatMap { $0 }))
            let header = EpochRecord.baseColumns
            // The target's own metric (`val_acc_0.93` → val_acc) against epoch, with the target
            // as a dashed line and each cell's mean epochs to reach it marked on that line.
            let split = a.target.lastIndex(of: "_")
            let metric = split.map { String(a.target[..<$0]) } ?? "train_loss"
            let threshold = split.flatMap { Double(a.target[a.target.index(after: $0)...]) }
            let metricColumn = header.firstIndex(of: metric) ?? header.firstIndex(of: "train_loss")!
            let isLoss = metric.hasSuffix("loss")
            var text = "# epoch \(metric)_mean, one block per chosen cell; then the epochs to target\n"
            var layers: [String] = []
            var marks = "$reached << EOD\n"
            for (i, (cell, why)) in chosen.enumerated() {
                let series = ids[i].compactMap { epochs[$0] }
                let longest = series.map(\.count).max() ?? 0
                text += "# \(label(cell, why))\n"
                for e in 0..<longest {
                    let values = series.compactMap { e < $0.count ? Double($0[e][metricColumn]) : nil }.filter(\.isFinite)
                    text += "\(e + 1) \(Self.fmt(values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)))\n"
                }
                text += "\n\n"
                let color = colors[i % colors.count]
                let reached = cell.meanToTarget.map { String(format: ", reached in %.3g epochs", $0) + (cell.reached < cell.repeats ? " (\(cell.reached)/\(cell.repeats))" : "") } ?? ", not reached"
                layers.append("\"\(name).dat\" index \(i) using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"\(color)\" title \"\(Gnuplot.text(label(cell, why) + reached))\"")
                if let threshold, let at = cell.meanToTarget { marks += "\(at) \(threshold) \(Int(color.dropFirst(), radix: 16) ?? 0)\n" }
            }
            marks += "nan nan 0\nEOD\n"
            try save(text, "\(name).dat")
            if let threshold {
                layers.append("\(threshold) with lines dt 2 lw 1.5 lc rgb \"#555555\" title \"target \(Gnuplot.text(a.target.replacingOccurrences(of: "_", with: " ")))\"")
                layers.append("$reached using 1:2:3 with points pt 13 ps 2.2 lc rgb variable notitle")
            }
            let pretty = metric.replacingOccurrences(of: "val_", with: "validation ").replacingOccurrences(of: "train_", with: "training ")
                .replacingOccurrences(of: "acc", with: "accuracy")
            var script = PlotStyle.header(name: name, title: "\(a.problem): \(pretty) of chosen (ξ, α) cells", source: source)
            script += """
                set title "\(Gnuplot.text(a.problem)): \(pretty) of chosen (ξ, α) cells, mean over repeats; ◆ where the mean reaches the target"
                set xlabel "epoch"
                set ylabel "\(pretty)"
                set key below
                \(isLoss ? "set logscale y" : "")
                \(marks)plot \(layers.joined(separator: ", \\\n     "))

                """
            try save(script, "\(name).gp")
        case .deepobs:
            return nil
        case .surface(let p):
            let ids = chosen.compactMap { members($0.cell).first }
            guard ids.count == chosen.count else { return nil }
            let paths = try Self.rows(of: resultsDirectory + "/trajectories.csv", ids: Set(ids))
            // Without the trajectories (a folder published without them) there is nothing to draw.
            guard ids.allSatisfy({ paths[$0] != nil }) else { return nil }
            // The map zoomed to the region the chosen cells' finished paths use.
            let finished = chosen.enumerated().filter { $0.element.cell.diverged == 0 }.compactMap { paths[ids[$0.offset]] }
            let window = Self.trajectoryWindow(p.surface, paths: finished, start: p.starts.first ?? p.surface.start)
            try saveSurfaceGrid(p.surface, window, "\(name)-surface.dat")
            var text = "# step x y, one block per chosen cell\n"
            var layers = Self.surfaceMapLayers(data: "\(name)-surface.dat")
            var keys: [String] = []
            for (i, (cell, why)) in chosen.enumerated() {
                let rows = paths[ids[i]] ?? []
                let stride = max(1, rows.count / 1500)
                text += "# \(label(cell, why))\n"
                for (k, row) in rows.enumerated() where k % stride == 0 || k == rows.count - 1 { text += "\(row[1]) \(row[2]) \(row[3])\n" }
                text += "\n\n"
                keys.append("NaN with lines lw 2 lc rgb \"\(colors[i % colors.count])\" title \"\(Gnuplot.text(label(cell, why)))\"")
            }
            // The legend in the cells' order; the paths drawn in reverse, so the fastest lies on
            // top of the wide swings of the largest ξ.
            layers += keys + chosen.indices.reversed().map { i in
                "\"\(name).dat\" index \(i) using 2:3 with lines lw \(i == 0 ? 2.5 : 1.8) lc rgb \"\(colors[i % colors.count])\" notitle"
            }
            try save(text, "\(name).dat")
            let surface = p.surface
            var script = PlotStyle.header(name: name, title: "\(surface.name): trajectories of chosen (ξ, α) cells", source: source)
            script += """
                set title "\(surface.name): momentum trajectories of chosen (ξ, α) cells"

                # Beside the map: below it, a map of fixed aspect ratio puts the key over the x label.
                set key outside right top vertical box opaque

                """ + Self.surfaceMap(window, data: "\(name)-surface.dat") + "plot \(layers.joined(separator: ", \\\n     "))\n"
            try save(script, "\(name).gp")
        }
        return Figure(name: name, title: "\(a.problem): chosen (ξ, α) cells by \(a.target)")
    }
}
