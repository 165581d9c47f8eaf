import Foundation

/// The learning-rate sensitivity figure of any problem.
extension SuitePlotter {
    // MARK: Learning-rate sensitivity

    func learningRateFigure(_ problem: Suite.Problem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                    problemRuns: [[String]], source: String) throws -> Figure {
        let name = problem.name
        let metric = ranking.metric
        let floor: Double
        if case .surface(let p) = problem { floor = p.surface.minimumValue ?? 0 } else { floor = 0 }
        let logY: Bool
        if case .surface(let p) = problem { logY = p.surface.minimumValue != nil } else { logY = metric == "final_val_loss" }
        var text = "# optimizer lr value diverged_marker\n"
        var optimizers: [String] = []
        for row in problemRuns where !optimizers.contains(runs.value(row, "optimizer")) { optimizers.append(runs.value(row, "optimizer")) }
        var finite: [Double] = []
        var blocks: [(String, [(Double, Double, Bool)])] = []
        let keyColumns = SuiteSummary.settingColumns(of: runs.header) + ["convention", "start_x", "start_y"]
        for optimizer in optimizers {
            let mine = problemRuns.filter { runs.value($0, "optimizer") == optimizer }
            let lrs = Set(mine.compactMap { runs.number($0, "lr") }).sorted()
            var points: [(Double, Double, Bool)] = []
            for lr in lrs {
                // The best over the other settings at this lr, each setting averaged over repeats.
                let atLR = mine.filter { runs.number($0, "lr") == lr }
                var groups: [String: [Double]] = [:]
                var diverged = true
                for row in atLR {
                    let key = keyColumns.map { runs.value(row, $0) }.joined(separator: "|")
                    if let v = runs.number(row, metric), v.isFinite, RunStatus(rawValue: runs.value(row, "status")) != .diverged {
                        groups[key, default: []].append(logY ? max(v - floor, 1e-16) : v)
                        diverged = false
                    }
                }
                let means = groups.values.map { $0.reduce(0, +) / Double($0.count) }
                let best = ranking.higherIsBetter ? means.max() : means.min()
                if let best { finite.append(best) }
                points.append((lr, best ?? .nan, diverged))
            }
            blocks.append((optimizer, points))
        }
        // Settings where every run diverged go to a band above the plot, one row per optimizer;
        // the points of different optimizers at one rate are dodged sideways (×10^±0.012 each).
        let count = Double(blocks.count)
        for (i, (optimizer, points)) in blocks.enumerated() {
            let dodge = pow(10, (Double(i) - (count - 1) / 2) * 0.012)
            text += "# \(optimizer)\n"
            for (lr, value, diverged) in points {
                text += "\(optimizer) \(lr * dodge) \(Self.fmt(value)) \(diverged ? "\(i)" : "nan")\n"
            }
            text += "\n\n"
        }
        try save(text, "\(name)-lr.dat")
        let rates = blocks.flatMap { $0.1.map(\.0) }
        let (low, high) = (rates.min() ?? 1e-3, rates.max() ?? 1)
        let xRange = "set xrange [\(low / 1.25):\(high * 1.25)]"
        let label = logY && floor != 0 ? "\(metric.replacingOccurrences(of: "_", with: " ")) − minimum" : metric.replacingOccurrences(of: "_", with: " ")
        let anyDiverged = blocks.contains { $0.1.contains { $0.2 } }
        var script = PlotStyle.header(name: "\(name)-lr", title: "Learning-rate sensitivity, \(name)", source: source)
        let names = blocks.enumerated().map { "\"\(Gnuplot.text($0.element.0))\" \($0.offset)" }.joined(separator: ", ")
        script += """
            set multiplot title "\(Gnuplot.text(name)): \(label) against learning rate (best over other settings)"
            set logscale x
            \(xRange)
            set lmargin at screen 0.12
            set rmargin at screen 0.74

            """
        if anyDiverged {
            script += """
                set tmargin at screen 0.90
                set bmargin at screen \(0.90 - min(0.26, 0.03 * count + 0.04))
                set format x ""
                set yrange [-0.6:\(count - 0.4)]
                set ytics (\(names)) font ",8"
                set grid xtics
                unset key
                set label 1 "diverged" at graph 1.01, graph 0.5 left font ",10"
                plot \(blocks.enumerated().map { i, block in
                    "\"\(name)-lr.dat\" index \(i) using 2:4 with points pt 2 ps 1.4 lw 2 lc rgb \"\(PlotStyle.color(block.0))\" notitle"
                }.joined(separator: ", \\\n     "))
                unset label 1
                unset yrange
                set ytics auto font ""
                set grid

                """
        }
        let mainTop = anyDiverged ? 0.90 - min(0.26, 0.03 * count + 0.04) - 0.02 : 0.90
        script += """
            set key at screen 0.76, screen \(mainTop) left top Left reverse box opaque samplen 2 font ",10"
            set tmargin at screen \(mainTop)
            set bmargin at screen 0.12
            set format x "10^{%L}"
            set xlabel "learning rate η"
            set ylabel "\(label)"
            \(logY ? "set logscale y\nset format y \"10^{%L}\"\n" : "")
            """
        let layers = blocks.enumerated().map { i, block -> String in
            "\"\(name)-lr.dat\" index \(i) using 2:3 with linespoints lw 2 pt 7 lc rgb \"\(PlotStyle.color(block.0))\" title \"\(Gnuplot.text(block.0))\(block.1.allSatisfy(\.2) ? " (all diverged)" : "")\""
        }
        script += "plot " + layers.joined(separator: ", \\\n     ") + "\nunset multiplot\n"
        try save(script, "\(name)-lr.gp")
        return Figure(name: "\(name)-lr", title: "Learning-rate sensitivity, \(name)")
    }
}
