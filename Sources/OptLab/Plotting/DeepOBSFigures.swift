import Foundation

/// A DeepOBS problem's figures, in DeepOBS's style: final test loss against learning rate
/// (OptLab's tuning runs as filled points, DeepOBS's published sweep as open ones, diverged
/// settings as × on the top edge), and the test loss per epoch at each optimizer's best rate
/// (mean over seeds with a min–max band, OptLab solid, DeepOBS dashed).
extension SuitePlotter {
    func deepOBSFigures(_ problem: Suite.DeepOBSProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                        problemRuns: [[String]], source: String) throws -> [Figure] {
        let baselinesPath = resultsDirectory + "/" + DeepOBSBaselines.fileName(problem: problem.name)
        let baselines = FileManager.default.fileExists(atPath: baselinesPath) ? try DeepOBSBaselines.read(baselinesPath) : nil
        var optimizers: [String] = []
        for row in problemRuns where !optimizers.contains(runs.value(row, "optimizer")) { optimizers.append(runs.value(row, "optimizer")) }
        let name = problem.name
        let metric = TuningProtocol.deepOBSMetric

        // Final test loss against learning rate.
        var finite: [Double] = []
        var sweep: [(String, [(Double, Double)], [(Double, Double)])] = []   // optimizer, OptLab points, DeepOBS points
        for optimizer in optimizers {
            let tune = problemRuns.filter { runs.value($0, "optimizer") == optimizer && runs.value($0, "phase") != RunPhase.confirm.rawValue }
            let ours = tune.compactMap { row -> (Double, Double)? in
                guard let lr = runs.number(row, "lr") else { return nil }
                let usable = RunStatus.isUsable(runs.value(row, "status"))
                return (lr, usable ? runs.number(row, metric) ?? .nan : .nan)
            }.sorted { $0.0 < $1.0 }
            let theirs = baselines?.sweep(optimizer).map { ($0.lr, $0.loss) } ?? []
            finite += (ours + theirs).map(\.1).filter(\.isFinite)
            sweep.append((optimizer, ours, theirs))
        }
        let top = (finite.max() ?? 1) * 2
        var data = "# lr loss diverged_marker, blocks: per optimizer OptLab then DeepOBS\n"
        for (optimizer, ours, theirs) in sweep {
            for (label, points) in [("OptLab", ours), ("DeepOBS", theirs)] {
                data += "# \(optimizer) \(label)\n"
                for (lr, loss) in points { data += "\(lr) \(Self.fmt(loss)) \(loss.isFinite ? "nan" : "\(top)")\n" }
                data += "\n\n"
            }
        }
        try save(data, "\(name)-deepobs-lr.dat")
        var script = PlotStyle.header(name: "\(name)-deepobs-lr", title: "Final test loss against learning rate, \(name)", source: source)
        script += """
            set title "\(Gnuplot.text(name)): final test loss after \(problem.epochs) epochs (filled: OptLab, open: DeepOBS; × diverged in OptLab)"
            set logscale xy
            set yrange [\((finite.min() ?? 1) * 0.8):\(top * 1.5)]
            set format x "10^{%L}"
            set xlabel "learning rate η"
            set ylabel "final test loss"

            """
        var layers: [String] = []
        for (i, entry) in sweep.enumerated() {
            let color = PlotStyle.color(entry.0)
            layers.append("\"\(name)-deepobs-lr.dat\" index \(2 * i) using 1:2 with linespoints lw 2 pt 7 lc rgb \"\(color)\" title \"\(Gnuplot.text(entry.0)), OptLab\"")
            layers.append("\"\(name)-deepobs-lr.dat\" index \(2 * i) using 1:3 with points pt 2 ps 1.6 lw 2 lc rgb \"\(color)\" notitle")
            if !entry.2.isEmpty {
                layers.append("\"\(name)-deepobs-lr.dat\" index \(2 * i + 1) using 1:2 with linespoints dt 2 lw 1 pt 6 ps 1.4 lc rgb \"\(color)\" title \"\(Gnuplot.text(entry.0)), DeepOBS\"")
            }
        }
        script += "plot " + layers.joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-deepobs-lr.gp")
        var figures = [Figure(name: "\(name)-deepobs-lr", title: "Final test loss against learning rate, \(name)")]

        // Test loss per epoch at the best rate.
        let confirmIDs = Set(problemRuns.filter { runs.value($0, "phase") == RunPhase.confirm.rawValue }.map { runs.value($0, "run_id") })
        let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: confirmIDs)
        let epochTable = Table([try LineStream.header(of: resultsDirectory + "/epochs.csv")])
        guard !confirmIDs.isEmpty, epochTable.has("test_loss") else { return figures }
        var curves = "# epoch mean min max, blocks: per optimizer OptLab then DeepOBS\n"
        var means: [Double] = []
        var drawn: [(String, Bool)] = []
        for optimizer in optimizers {
            let ids = problemRuns.filter { runs.value($0, "optimizer") == optimizer && confirmIDs.contains(runs.value($0, "run_id")) }.map { runs.value($0, "run_id") }
            let ours = ids.map { id in (epochs[id] ?? []).compactMap { epochTable.number($0, "test_loss") } }
            let theirs = baselines?.curves(optimizer) ?? []
            for series in [ours, theirs] {
                curves += "# \(optimizer)\n"
                let length = series.map(\.count).min() ?? 0
                for e in 0..<length {
                    let values = series.map { $0[e] }.filter(\.isFinite)
                    guard !values.isEmpty else { continue }
                    curves += "\(e) \(Statistics.mean(values)) \(values.min()!) \(values.max()!)\n"
                    means.append(Statistics.mean(values))
                }
                curves += "\n\n"
            }
            drawn.append((optimizer, !theirs.isEmpty))
        }
        try save(curves, "\(name)-deepobs-curves.dat")
        script = PlotStyle.header(name: "\(name)-deepobs-curves", title: "Test loss at the best learning rate, \(name)", source: source)
        script += """
            set title "\(Gnuplot.text(name)): test loss per epoch at each optimizer's best rate (mean, min–max band over seeds; circles: DeepOBS)"
            set logscale y
            set yrange [\((means.min() ?? 1) * 0.97):\((means.max() ?? 10) * 1.1)]
            set xlabel "epoch"
            set ylabel "test loss"
            set style fill transparent solid 0.2 noborder

            """
        layers = []
        for (i, (optimizer, hasTheirs)) in drawn.enumerated() {
            let color = PlotStyle.color(optimizer)
            layers.append("\"\(name)-deepobs-curves.dat\" index \(2 * i) using 1:3:4 with filledcurves lc rgb \"\(color)\" notitle")
            layers.append("\"\(name)-deepobs-curves.dat\" index \(2 * i) using 1:2 with lines lw 2 lc rgb \"\(color)\" title \"\(Gnuplot.text(optimizer)), OptLab\"")
            if hasTheirs {
                layers.append("\"\(name)-deepobs-curves.dat\" index \(2 * i + 1) every 4 using 1:2 with points pt 6 ps 1.1 lw 1.5 lc rgb \"\(color)\" title \"\(Gnuplot.text(optimizer)), DeepOBS (every 4th epoch)\"")
            }
        }
        script += "plot " + layers.joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-deepobs-curves.gp")
        figures.append(Figure(name: "\(name)-deepobs-curves", title: "Test loss at the best learning rate, \(name)"))
        return figures
    }
}
