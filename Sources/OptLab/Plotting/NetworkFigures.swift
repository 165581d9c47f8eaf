import Foundation

/// Figures of a network problem: loss and accuracy against epoch and time, the ranking
/// of final test accuracy, and the lr × L2 heatmap.
extension SuitePlotter {
    // MARK: Networks

    func networkFigures(_ problem: Suite.NetworkProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                problemRuns: [[String]], epochs: [String: [[String]]], source: String, lrColumn: Int? = nil) throws -> [Figure] {
        let name = problem.name
        let epochTable = EpochRecord.baseColumns
        func col(_ c: String) -> Int { epochTable.firstIndex(of: c)! }
        // Per optimizer (best setting): per epoch, mean/min/max over repeats.
        var text = "# optimizer epoch train_loss_mean min max val_loss_mean min max val_acc_mean min max seconds_mean\n"
        var entries: [SuiteSummary.Entry] = []
        for entry in ranking.entries {
            let series = entry.runIDs.compactMap { epochs[$0] }
            guard !series.isEmpty else { continue }
            entries.append(entry)
            text += "# \(entry.optimizer)\n"
            let longest = series.map(\.count).max()!
            for e in 0..<longest {
                func stats(_ c: String) -> String {
                    let values = series.compactMap { $0.count > e ? Double($0[e][col(c)]) : nil }.filter(\.isFinite)
                    guard !values.isEmpty else { return "nan nan nan" }
                    return "\(values.reduce(0, +) / Double(values.count)) \(values.min()!) \(values.max()!)"
                }
                let seconds = series.compactMap { $0.count > e ? Double($0[e][col("seconds")]) : nil }
                text += "\(entry.optimizer) \(e + 1) \(stats("train_loss")) \(stats("val_loss")) \(stats("val_acc")) "
                    + (seconds.isEmpty ? "nan" : "\(seconds.reduce(0, +) / Double(seconds.count))") + "\n"
            }
            text += "\n\n"
        }
        try save(text, "\(name)-curves.dat")
        let hasValidation = problem.validation > 0
        // The rate each epoch used, per optimizer at its best setting (the same in every
        // repeat: a schedule depends on the epoch, or on the metric for plateau: the mean).
        var rates = "# optimizer epoch lr\n", hasRates = false
        if let lrColumn {
            for entry in entries {
                let series = entry.runIDs.compactMap { epochs[$0] }
                rates += "# \(entry.optimizer)\n"
                for e in 0..<(series.map(\.count).max() ?? 0) {
                    let values = series.compactMap { $0.count > e && $0[e].count > lrColumn ? Double($0[e][lrColumn]) : nil }
                    if !values.isEmpty { hasRates = true; rates += "\(entry.optimizer) \(e + 1) \(values.reduce(0, +) / Double(values.count))\n" }
                }
                rates += "\n\n"
            }
            if hasRates { try save(rates, "\(name)-rates.dat") }
        }
        var figures: [Figure] = []

        func curveLayers(x: Int, y: Int, band: Bool) -> String {
            entries.enumerated().flatMap { i, entry -> [String] in
                let color = PlotStyle.color(entry.optimizer)
                var layers: [String] = []
                if band { layers.append("\"\(name)-curves.dat\" index \(i) using \(x):\(y + 1):\(y + 2) with filledcurves fs transparent solid 0.18 noborder lc rgb \"\(color)\" notitle") }
                layers.append("\"\(name)-curves.dat\" index \(i) using \(x):\(y) with linespoints lw 2 pt 7 ps 0.6 lc rgb \"\(color)\" title \"\(Self.label(entry))\"")
                return layers
            }.joined(separator: ", \\\n     ")
        }

        var loss = PlotStyle.header(name: "\(name)-loss", title: "Loss against epoch, \(name)", source: source)
        loss += """
            set multiplot layout 1,\((hasValidation ? 2 : 1) + (hasRates ? 1 : 0)) title "\(Gnuplot.text(name)): loss against epoch (mean over repeats, band: min–max)"
            set logscale y
            set xlabel "epoch"
            set key below font ",9"
            set bmargin 7
            \(problem.base.epochs <= 20 ? "set xtics 1" : "")
            set ylabel "training loss (cross-entropy or MSE)"
            set title "training"
            plot \(curveLayers(x: 2, y: 3, band: true))

            """
        if hasValidation {
            loss += """
                set ylabel "validation loss"
                set title "validation"
                plot \(curveLayers(x: 2, y: 6, band: true))

                """
        }
        if hasRates {
            let layers = entries.enumerated().map { i, entry in
                "\"\(name)-rates.dat\" index \(i) using 2:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"\(PlotStyle.color(entry.optimizer))\" title \"\(Self.label(entry))\""
            }.joined(separator: ", \\\n     ")
            loss += """
                set ylabel "learning rate"
                set title "learning rate of each epoch"
                plot \(layers)

                """
        }
        loss += "unset multiplot\n"
        try save(loss, "\(name)-loss.gp")
        figures.append(Figure(name: "\(name)-loss", title: "Loss against epoch, \(name)"))

        var time = PlotStyle.header(name: "\(name)-loss-time", title: "Loss against wall-clock time, \(name)", source: source)
        time += """
            set title "\(Gnuplot.text(name)): \(hasValidation ? "validation" : "training") loss against wall-clock time (mean over repeats)"
            set logscale y
            set xlabel "seconds since the start of training"
            set ylabel "\(hasValidation ? "validation" : "training") loss"
            plot \(curveLayers(x: 12, y: hasValidation ? 6 : 3, band: false))

            """
        try save(time, "\(name)-loss-time.gp")
        figures.append(Figure(name: "\(name)-loss-time", title: "Loss against wall-clock time, \(name)"))

        if hasValidation {
            var accuracy = PlotStyle.header(name: "\(name)-accuracy", title: "Validation accuracy against epoch, \(name)", source: source)
            accuracy += """
                set title "\(Gnuplot.text(name)): validation accuracy against epoch (mean over repeats, band: min–max)"
                set xlabel "epoch"
                \(problem.base.epochs <= 20 ? "set xtics 1" : "")
                set ylabel "validation accuracy"
                set format y "%.2f"
                plot \(curveLayers(x: 2, y: 9, band: true))

                """
            try save(accuracy, "\(name)-accuracy.gp")
            figures.append(Figure(name: "\(name)-accuracy", title: "Validation accuracy against epoch, \(name)"))
        }

        // Ranking: final test accuracy of each optimizer's best setting: the mean as a bar
        // from 0, every seed as a dot, ± std only with enough seeds to mean something.
        var bars = "# rank optimizer mean std color (std nan below \(SuiteSummary.minimumSeeds) seeds)\n"
        var seeds = "# rank test_accuracy, one row per seed\n"
        for (i, entry) in ranking.entries.filter({ $0.rank != nil }).enumerated() {
            let values = entry.runIDs.compactMap { id in runs.rows.first { $0.first == id }.flatMap { runs.number($0, "final_test_acc") } }
            let std = values.count >= SuiteSummary.minimumSeeds ? Statistics.standardDeviation(values) : .nan
            bars += "\(i) \(entry.optimizer) \(Self.fmt(Statistics.mean(values))) \(Self.fmt(std)) \(Int(PlotStyle.color(entry.optimizer).dropFirst(), radix: 16) ?? 0)\n"
            for value in values { seeds += "\(i) \(Self.fmt(value))\n" }
        }
        try save(bars + "\n\n" + seeds, "\(name)-ranking.dat")
        var ranking = PlotStyle.header(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)", source: source)
        ranking += """
            set title "\(Gnuplot.text(name)): final test accuracy at each optimizer's best setting (bar: mean; dots: seeds; ± std with \(SuiteSummary.minimumSeeds)+ seeds)"
            set ylabel "test accuracy"
            set style fill solid 0.6 border rgb "#333333"
            set boxwidth 0.7
            set xtics rotate by -30
            unset key
            set yrange [0:1]
            plot "\(name)-ranking.dat" index 0 using 1:3:5:xtic(2) with boxes lc rgb variable, \\
                 "" index 0 using 1:3:4 with yerrorbars pt -1 lw 1.5 lc rgb "#000000", \\
                 "" index 1 using 1:2 with points pt 7 ps 0.7 lc rgb "#000000"

            """
        try save(ranking, "\(name)-ranking.gp")
        figures.append(Figure(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)"))

        if let heatmap = try heatmapFigure(problem, runs: runs, problemRuns: problemRuns, source: source) { figures.append(heatmap) }
        return figures
    }

    /// Final validation loss (test accuracy without validation) over the lr × L2 grid,
    /// one panel per optimizer, one colour scale; diverged cells marked ×.
    func heatmapFigure(_ problem: Suite.NetworkProblem, runs: Table, problemRuns: [[String]], source: String) throws -> Figure? {
        guard runs.column["l2"] != nil else { return nil }
        let name = problem.name
        let lrs = Set(problemRuns.compactMap { runs.number($0, "lr") }).sorted()
        let l2s = Set(problemRuns.compactMap { runs.number($0, "l2") }).sorted()
        guard lrs.count > 1 || l2s.count > 1 else { return nil }
        let metric = problem.validation > 0 ? "final_val_loss" : "final_test_acc"
        var optimizers: [String] = []
        for row in problemRuns where !optimizers.contains(runs.value(row, "optimizer")) { optimizers.append(runs.value(row, "optimizer")) }
        var text = "# optimizer lr_index l2_index value diverged\n"
        var finite: [Double] = []
        for optimizer in optimizers {
            text += "# \(optimizer)\n"
            for (i, lr) in lrs.enumerated() {
                for (j, l2) in l2s.enumerated() {
                    let cell = problemRuns.filter { runs.value($0, "optimizer") == optimizer && runs.number($0, "lr") == lr && runs.number($0, "l2") == l2 }
                    let values = cell.compactMap { runs.number($0, metric) }.filter(\.isFinite)
                    let diverged = cell.contains { RunStatus(rawValue: runs.value($0, "status")) == .diverged } || values.isEmpty
                    let mean = diverged ? Double.nan : values.reduce(0, +) / Double(values.count)
                    if mean.isFinite { finite.append(mean) }
                    text += "\(optimizer) \(i) \(j) \(Self.fmt(mean)) \(diverged ? 1 : 0)\n"
                }
            }
            text += "\n\n"
        }
        try save(text, "\(name)-heatmap.dat")
        let columns = min(3, optimizers.count), rowsCount = (optimizers.count + columns - 1) / columns
        var script = PlotStyle.header(name: "\(name)-heatmap", title: "lr × L2 grid, \(name)", source: source)
        let lrTics = lrs.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")
        let l2Tics = l2s.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")
        script += """
            unset key
            set palette defined (0 "#0d0887", 1 "#7e03a8", 2 "#cc4778", 3 "#f89540", 4 "#f0f921")
            set cbrange [\(Self.fmt(finite.min() ?? 0)):\(Self.fmt(finite.max() ?? 1))]
            set cblabel "\(metric.replacingOccurrences(of: "_", with: " "))"
            set xtics (\(lrTics)) rotate by -45 font ",8"
            set ytics (\(l2Tics)) font ",8"
            set xrange [-0.5:\(Double(lrs.count) - 0.5)]
            set yrange [-0.5:\(Double(l2s.count) - 0.5)]
            set multiplot layout \(rowsCount),\(columns) title "\(Gnuplot.text(name)): \(metric.replacingOccurrences(of: "_", with: " ")) over learning rate × L2 (× diverged; mean over repeats)"

            """
        for (i, optimizer) in optimizers.enumerated() {
            script += """
                set title "\(Gnuplot.text(optimizer))" tc rgb "\(PlotStyle.color(optimizer))"
                set xlabel "lr"
                set ylabel "L2"
                plot "\(name)-heatmap.dat" index \(i) using 2:3:4 with image, \\
                     "" index \(i) using 2:($5 > 0 ? $3 : NaN) with points pt 2 ps 2 lw 2 lc rgb "#000000"

                """
        }
        script += "unset multiplot\n"
        try save(script, "\(name)-heatmap.gp")
        return Figure(name: "\(name)-heatmap", title: "lr × L2 grid, \(name)")
    }

    /// The axes and the shaded, contoured map of a surface, up to (not including) the
    /// `plot` command; the contours go into the datablock `$contours`.
}
