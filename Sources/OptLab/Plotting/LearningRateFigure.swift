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
        let top = finite.max() ?? 1
        for (optimizer, points) in blocks {
            text += "# \(optimizer)\n"
            for (lr, value, diverged) in points {
                // Diverged settings sit on the worst edge of the plot, marked ×.
                let marker = diverged ? (ranking.higherIsBetter ? (finite.min() ?? 0) : (logY ? top * 3 : top)) : Double.nan
                text += "\(optimizer) \(lr) \(Self.fmt(value)) \(Self.fmt(marker))\n"
            }
            text += "\n\n"
        }
        try save(text, "\(name)-lr.dat")
        let label = logY && floor != 0 ? "\(metric.replacingOccurrences(of: "_", with: " ")) − minimum" : metric.replacingOccurrences(of: "_", with: " ")
        var script = PlotStyle.header(name: "\(name)-lr", title: "Learning-rate sensitivity, \(name)", source: source)
        script += """
            set title "\(Gnuplot.text(name)): \(label) against learning rate (best over other settings; × diverged)"
            set logscale x
            set format x "10^{%L}"
            set xlabel "learning rate η"
            set ylabel "\(label)"
            \(logY ? "set logscale y\nset format y \"10^{%L}\"\n" : "")
            """
        let layers = blocks.enumerated().flatMap { i, block -> [String] in
            let color = PlotStyle.color(block.0)
            return ["\"\(name)-lr.dat\" index \(i) using 2:3 with linespoints lw 2 pt 7 lc rgb \"\(color)\" title \"\(Gnuplot.text(block.0))\"",
                    "\"\(name)-lr.dat\" index \(i) using 2:4 with points pt 2 ps 1.6 lw 2 lc rgb \"\(color)\" notitle"]
        }
        script += "plot " + layers.joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-lr.gp")
        return Figure(name: "\(name)-lr", title: "Learning-rate sensitivity, \(name)")
    }
}
