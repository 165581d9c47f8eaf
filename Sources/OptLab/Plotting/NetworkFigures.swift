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

        // Panels side by side, one legend to their right (outside the data and the tick
        // labels), each y axis fitted to its data.
        let panelCount = (hasValidation ? 2 : 1) + (hasRates ? 1 : 0)
        var loss = PlotStyle.header(name: "\(name)-loss", title: "Loss against epoch, \(name)", source: source,
                                    size: (320 * panelCount + 380, 560))
        let right = Double(320 * panelCount) / Double(320 * panelCount + 380) + 0.02
        loss += """
            set multiplot layout 1,\(panelCount) margins 0.07,\(String(format: "%.3f", right)),0.12,0.88 spacing 0.07,0 title "\(Gnuplot.text(name)): loss against epoch (mean over repeats, band: min–max)"
            set logscale y
            set autoscale yfix
            set offsets 0, 0, graph 0.04, graph 0.04
            \(Self.logTics("y"))
            set xlabel "epoch"
            unset key
            \(problem.base.epochs <= 20 ? "set xtics 1" : "")
            set ylabel "training loss (cross-entropy or MSE)"
            set title "training"
            \(panelCount == 1 ? "set key at screen \(String(format: "%.3f", right + 0.02)), screen 0.88 left top Left reverse box opaque samplen 2 font \",10\"" : "")
            plot \(curveLayers(x: 2, y: 3, band: true))

            """
        if hasValidation {
            loss += """
                set ylabel "validation loss"
                set title "validation"
                \(panelCount == 2 ? "set key at screen \(String(format: "%.3f", right + 0.02)), screen 0.88 left top Left reverse box opaque samplen 2 font \",10\"" : "")
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
                set key at screen \(String(format: "%.3f", right + 0.02)), screen 0.88 left top Left reverse box opaque samplen 2 font ",10"
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

        // Ranking: final test accuracy of each optimizer's best setting as a strip plot, every
        // seed a dot (spread sideways), the mean a bar across them, and the 95% bootstrap
        // interval of the mean where there are enough seeds for one.
        var means = "# rank optimizer mean ci_low ci_high colour\n"
        var seeds = "# position test_accuracy colour, one row per seed\n"
        var fewest = Int.max
        for (i, entry) in ranking.entries.filter({ $0.rank != nil }).enumerated() {
            let values = entry.runIDs.compactMap { id in runs.rows.first { $0.first == id }.flatMap { runs.number($0, "final_test_acc") } }
            let colour = Int(PlotStyle.color(entry.optimizer).dropFirst(), radix: 16) ?? 0
            let interval = values.count >= SuiteSummary.minimumSeeds ? Statistics.bootstrapInterval(values) : nil
            fewest = min(fewest, values.count)
            means += "\(i) \(entry.optimizer) \(Self.fmt(Statistics.mean(values))) \(Self.fmt(interval?.low ?? .nan)) \(Self.fmt(interval?.high ?? .nan)) \(colour)\n"
            for (k, value) in values.enumerated() {
                let offset = values.count > 1 ? (Double(k) / Double(values.count - 1) - 0.5) * 0.36 : 0
                seeds += "\(Self.fmt(Double(i) + offset)) \(Self.fmt(value)) \(colour)\n"
            }
        }
        try save(means + "\n\n" + seeds, "\(name)-ranking.dat")
        var ranking = PlotStyle.header(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)", source: source)
        let evidence = fewest == Int.max ? "" : (fewest < SuiteSummary.minimumSeeds
            ? "; \(fewest) seed\(fewest == 1 ? "" : "s"): too few for an interval" : "; whisker: 95% bootstrap interval of the mean")
        ranking += """
            set title "\(Gnuplot.text(name)): final test accuracy at each optimizer's best setting, ranked\\ndots: seeds; bar: mean\(evidence)"
            set ylabel "test accuracy"
            set xtics rotate by -30
            unset key
            set xrange [-0.6:*]
            set offsets 0, 0.6, 0.02, 0.02
            unset grid
            set grid ytics back lc rgb "#dddddd"
            plot "\(name)-ranking.dat" index 1 using 1:2:3 with points pt 7 ps 1.1 lc rgb variable, \\
                 "" index 0 using ($1 - 0.28):3:(0.56):(0):6 with vectors nohead lw 3 lc rgb variable, \\
                 "" index 0 using 1:($4 == $4 ? $3 : NaN):4:5 with yerrorbars pt -1 lw 1.2 lc rgb "#333333", \\
                 "" index 0 using 1:(NaN):xtic(2) notitle

            """
        try save(ranking, "\(name)-ranking.gp")
        figures.append(Figure(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)"))

        if let heatmap = try heatmapFigure(problem, runs: runs, problemRuns: problemRuns, source: source) { figures.append(heatmap) }
        return figures
    }

    /// Tick marks at 1, 2, 3, 4, 5 and 7 times each power of ten, labelled plainly: a log axis
    /// over less than a decade (a loss from 0.35 to 2) still gets several labels.
    static func logTics(_ axis: String) -> String {
        let values = (-6...4).flatMap { e in [1.0, 2, 3, 4, 5, 7].map { $0 * pow(10, Double(e)) } }
        return "set \(axis)tics (" + values.map { String(format: "%g", $0) }.joined(separator: ", ") + ")\nset format \(axis) \"%g\""
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
        var text = "# optimizer lr_index l2_index value all_diverged label label_colour\n"
        var cells: [(optimizer: String, i: Int, j: Int, mean: Double, allDiverged: Bool, usable: Int, total: Int)] = []
        for optimizer in optimizers {
            for (i, lr) in lrs.enumerated() {
                for (j, l2) in l2s.enumerated() {
                    let cell = problemRuns.filter { runs.value($0, "optimizer") == optimizer && runs.number($0, "lr") == lr && runs.number($0, "l2") == l2 }
                    let usable = cell.filter { RunStatus(rawValue: runs.value($0, "status")) != .diverged }.compactMap { runs.number($0, metric) }.filter(\.isFinite)
                    let mean = usable.isEmpty ? Double.nan : usable.reduce(0, +) / Double(usable.count)
                    cells.append((optimizer, i, j, mean, !cell.isEmpty && usable.isEmpty, usable.count, cell.count))
                }
            }
        }
        let finite = cells.map(\.mean).filter(\.isFinite)
        let (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
        for optimizer in optimizers {
            text += "# \(optimizer)\n"
            for c in cells where c.optimizer == optimizer {
                // The value in each cell, dark on the palette's bright end and white on its dark
                // end; a cell some of whose runs diverged or are missing says how many it averages.
                var label = c.mean.isFinite ? String(format: "%.3g", c.mean) : (c.allDiverged ? "" : "-")
                if c.mean.isFinite, c.usable < c.total { label += " (\(c.usable)/\(c.total))" }
                let position = high > low && c.mean.isFinite ? (c.mean - low) / (high - low) : 0
                let colour = position > 0.55 || !c.mean.isFinite ? 0x000000 : 0xFFFFFF
                text += "\(optimizer) \(c.i) \(c.j) \(Self.fmt(c.mean)) \(c.allDiverged ? 1 : 0) \"\(label)\" \(colour)\n"
            }
            text += "\n\n"
        }
        try save(text, "\(name)-heatmap.dat")
        let columns = min(3, optimizers.count), rowsCount = (optimizers.count + columns - 1) / columns
        var script = PlotStyle.header(name: "\(name)-heatmap", title: "lr × L2 grid, \(name)", source: source,
                                      size: (1100, max(520, 120 + 260 * rowsCount)))
        let lrTics = lrs.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")
        let l2Tics = l2s.enumerated().map { "\"\(Self.short($0.element))\" \($0.offset)" }.joined(separator: ", ")
        script += """
            unset key
            set palette defined (0 "#0d0887", 1 "#7e03a8", 2 "#cc4778", 3 "#f89540", 4 "#f0f921")
            set cbrange [\(Self.fmt(low)):\(Self.fmt(high > low ? high : low + 1))]
            set cblabel "\(metric.replacingOccurrences(of: "_", with: " ")) (mean over repeats)"
            set xtics (\(lrTics)) font ",9"
            set ytics (\(l2Tics)) font ",9"
            set xrange [-0.5:\(Double(lrs.count) - 0.5)]
            set yrange [-0.5:\(Double(l2s.count) - 0.5)]
            set xlabel "lr" offset 0,0.5
            set ylabel "L2" offset 1,0
            unset colorbox
            set multiplot layout \(rowsCount),\(columns) margins 0.07,0.86,0.08,0.90 spacing 0.07,0.12 title "\(Gnuplot.text(name)): \(metric.replacingOccurrences(of: "_", with: " ")) over learning rate × L2 (× every run diverged; (k/n): k of n runs averaged)"

            """
        for (i, optimizer) in optimizers.enumerated() {
            // One colour bar for all panels, drawn with the last one.
            if i == optimizers.count - 1 { script += "set colorbox user origin screen 0.89, screen 0.12 size screen 0.02, screen 0.74\n" }
            script += """
                set title "\(Gnuplot.text(optimizer))" tc rgb "\(PlotStyle.color(optimizer))"
                plot "\(name)-heatmap.dat" index \(i) using 2:3:4 with image, \\
                     "" index \(i) using 2:3:6:7 with labels font ",9" tc rgb variable, \\
                     "" index \(i) using 2:($5 > 0 ? $3 : NaN) with points pt 2 ps 2.5 lw 2 lc rgb "#000000"

                """
        }
        script += "unset multiplot\n"
        try save(script, "\(name)-heatmap.gp")
        return Figure(name: "\(name)-heatmap", title: "lr × L2 grid, \(name)")
    }

    /// The axes and the shaded, contoured map of a surface, up to (not including) the
    /// `plot` command; the contours go into the datablock `$contours`.
}
