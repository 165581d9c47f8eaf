import Foundation

/// The figures of the course claims, one per claim suite, each linked from its claim's
/// section of the report: depth (test accuracy of every seed per stack), regularization
/// (train, validation and test accuracy per variant: the gap), batch size (training loss
/// against wall time per batch size) and activations (the first/last hidden-layer gradient
/// ratio per epoch in the deep stack).
extension SuitePlotter {
    /// The figures that apply to a suite named `suite` (chosen by name, as the report's claims).
    func claimFigures(suite: String, runs: Table, source: String) throws -> [Figure] {
        let rows = runs.rows.filter { RunStatus.isUsable(runs.value($0, "status")) }
        guard !rows.isEmpty else { return [] }
        var figures: [Figure] = []
        if suite.hasPrefix("depth"), let f = try depthFigure(runs, rows, source: source) { figures.append(f) }
        if suite.hasPrefix("regularization"), let f = try regularizationFigure(runs, rows, source: source) { figures.append(f) }
        if suite.hasPrefix("batch-size"), let f = try batchSizeFigure(runs, rows, source: source) { figures.append(f) }
        if suite.hasPrefix("activations"), let f = try activationsFigure(runs, source: source) { figures.append(f) }
        return figures
    }

    /// An x axis of named categories at 0, 1, …
    private static func categoryAxis(_ names: [String]) -> String {
        "set xrange [-0.6:\(Double(names.count) - 0.4)]\nset xtics (" + names.enumerated().map { "\"\(Gnuplot.text($0.element))\" \($0.offset)" }.joined(separator: ", ") + ")"
    }

    /// Distinct values of a column, in order of first appearance.
    private static func distinct(_ runs: Table, _ rows: [[String]], _ column: String) -> [String] {
        var seen: [String] = []
        for row in rows where !seen.contains(runs.value(row, column)) { seen.append(runs.value(row, column)) }
        return seen
    }

    private func depthFigure(_ runs: Table, _ rows: [[String]], source: String) throws -> Figure? {
        guard runs.has("layers"), runs.has("final_test_acc") else { return nil }
        let stacks = Self.distinct(runs, rows, "layers").sorted { $0.split(separator: "-").count < $1.split(separator: "-").count }
        var data = "# stack_index test_accuracy_percent (one row per seed), then per stack: index mean\n"
        var means = ""
        for (i, stack) in stacks.enumerated() {
            let values = rows.filter { runs.value($0, "layers") == stack }.compactMap { runs.number($0, "final_test_acc") }
            for v in values { data += "\(i) \(v * 100)\n" }
            if !values.isEmpty { means += "\(i) \(Statistics.mean(values) * 100)\n" }
        }
        data += "\n\n" + means
        try save(data, "claim-depth.dat")
        var script = PlotStyle.header(name: "claim-depth", title: "Depth: test accuracy per stack", source: source)
        script += """
            set title "Test accuracy of every seed per hidden-layer stack (line: mean)"
            \(Self.categoryAxis(stacks))
            set xlabel "hidden layers"
            set ylabel "test accuracy (%)"
            set key inside top right box opaque
            plot "claim-depth.dat" index 1 using 1:2:(0.3) with xerrorbars pt -1 lw 3 lc rgb "#0072B2" title "mean", \\
                 "claim-depth.dat" index 0 using 1:2 with points pt 7 ps 1.2 lc rgb "#000000" title "one seed"

            """
        try save(script, "claim-depth.gp")
        return Figure(name: "claim-depth", title: "Depth: test accuracy per stack")
    }

    private func regularizationFigure(_ runs: Table, _ rows: [[String]], source: String) throws -> Figure? {
        guard runs.has("final_train_acc"), runs.has("final_val_acc") else { return nil }
        let problems = Self.distinct(runs, rows, "problem")
        guard problems.count > 1 else { return nil }
        var data = "# index train validation test (mean accuracy, %)\n"
        for (i, problem) in problems.enumerated() {
            let mine = rows.filter { runs.value($0, "problem") == problem }
            func mean(_ column: String) -> String {
                let v = mine.compactMap { runs.number($0, column) }
                return v.isEmpty ? "nan" : "\(Statistics.mean(v) * 100)"
            }
            data += "\(i) \(mean("final_train_acc")) \(mean("final_val_acc")) \(mean("final_test_acc"))\n"
        }
        try save(data, "claim-regularization.dat")
        var script = PlotStyle.header(name: "claim-regularization", title: "Regularization: the train/validation gap", source: source)
        script += """
            set title "Final training, validation and test accuracy per variant (mean over seeds); the grey bar is the train/validation gap"
            \(Self.categoryAxis(problems))
            set ylabel "accuracy (%)"
            plot "claim-regularization.dat" using 1:3:(0):($2-$3) with vectors nohead lw 6 lc rgb "#cccccc" notitle, \\
                 "claim-regularization.dat" using 1:2 with points pt 7 ps 1.6 lc rgb "#000000" title "training", \\
                 "claim-regularization.dat" using 1:3 with points pt 9 ps 1.6 lc rgb "#E69F00" title "validation", \\
                 "claim-regularization.dat" using ($1+0.15):4 with points pt 5 ps 1.4 lc rgb "#0072B2" title "test"

            """
        try save(script, "claim-regularization.gp")
        return Figure(name: "claim-regularization", title: "Regularization: the train/validation gap")
    }

    private func batchSizeFigure(_ runs: Table, _ rows: [[String]], source: String) throws -> Figure? {
        guard runs.has("batch_size") else { return nil }
        let sizes = Self.distinct(runs, rows, "batch_size").sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        // Per batch size, the learning rate with the lowest mean final training loss, as the claim does.
        var chosen: [(String, [String])] = []
        for b in sizes {
            let mine = rows.filter { runs.value($0, "batch_size") == b }
            let rates = Self.distinct(runs, mine, "lr")
            let best = rates.min { a, c in
                let f = { (lr: String) in Statistics.mean(mine.filter { runs.value($0, "lr") == lr }.compactMap { runs.number($0, "final_train_loss") }) }
                return f(a) < f(c)
            }
            if let best { chosen.append((b, mine.filter { runs.value($0, "lr") == best }.map { runs.value($0, "run_id") })) }
        }
        let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: Set(chosen.flatMap(\.1)))
        let header = EpochRecord.baseColumns
        guard let loss = header.firstIndex(of: "train_loss"), let seconds = header.firstIndex(of: "seconds") else { return nil }
        var data = "# seconds train_loss, one block per batch size (its seeds one after another)\n"
        var drawn: [String] = []
        for (b, ids) in chosen {
            var block = ""
            for id in ids {
                for row in epochs[id] ?? [] where row.count > max(loss, seconds) { block += "\(row[seconds]) \(row[loss])\n" }
                block += "\n"
            }
            guard !block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            data += "# b = \(b)\n" + block + "\n"
            drawn.append(b)
        }
        guard !drawn.isEmpty else { return nil }
        return try linesFigure("claim-batch-size", title: "Batch size: training loss against wall time", data: data,
                               titles: drawn.map { "b = " + SuiteSummary.display($0) }, source: source, settings: """
            set title "Training loss at the end of each epoch against seconds since the start (every seed; best lr per batch size)"
            set logscale xy
            set xlabel "wall time (s)"
            set ylabel "training loss"
            """)
    }

    /// A figure of one line per block of its data file, in claim colours.
    private func linesFigure(_ name: String, title: String, data: String, titles: [String], source: String, settings: String) throws -> Figure {
        try save(data, name + ".dat")
        let colors = ["#000000", "#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7"]
        var script = PlotStyle.header(name: name, title: title, source: source) + settings + "\n"
        script += "plot " + titles.enumerated().map { i, label in
            "\"\(name).dat\" index \(i) using 1:2 with linespoints lw 1.5 pt 7 ps 0.7 lc rgb \"\(colors[i % colors.count])\" title \"\(Gnuplot.text(label))\""
        }.joined(separator: ", \\\n     ") + "\n"
        try save(script, name + ".gp")
        return Figure(name: name, title: title)
    }

    private func activationsFigure(_ runs: Table, source: String) throws -> Figure? {
        guard runs.has("activation"), runs.has("layers") else { return nil }
        let stacks = Self.distinct(runs, runs.rows, "layers")
        guard let deep = stacks.max(by: { $0.split(separator: "-").count < $1.split(separator: "-").count }) else { return nil }
        let hidden = deep.split(separator: "-").count
        let deepRows = runs.rows.filter { runs.value($0, "layers") == deep }
        let activations = Self.distinct(runs, deepRows, "activation")
        let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: Set(deepRows.map { runs.value($0, "run_id") }))
        let header = try LineStream.header(of: resultsDirectory + "/epochs.csv")
        guard let first = header.firstIndex(of: "grad_rms_1"), let last = header.firstIndex(of: "grad_rms_\(hidden)"),
              let epochColumn = header.firstIndex(of: "epoch") else { return nil }
        var data = "# epoch ratio (mean over seeds of first/last hidden layer gradient RMS), one block per activation\n"
        var drawn: [String] = []
        for a in activations {
            var byEpoch: [Int: [Double]] = [:]
            for row in deepRows where runs.value(row, "activation") == a {
                for e in epochs[runs.value(row, "run_id")] ?? [] where e.count > max(first, last) {
                    guard let x = Double(e[first]), let y = Double(e[last]), y > 0, let k = Int(e[epochColumn]) else { continue }
                    byEpoch[k, default: []].append(x / y)
                }
            }
            guard !byEpoch.isEmpty else { continue }
            data += "# \(a)\n" + byEpoch.keys.sorted().map { "\($0) \(Statistics.mean(byEpoch[$0]!))\n" }.joined() + "\n\n"
            drawn.append(a)
        }
        guard !drawn.isEmpty else { return nil }
        return try linesFigure("claim-activations", title: "Activations: vanishing gradients", data: data, titles: drawn, source: source, settings: """
            set title "\(hidden)-layer stack: first hidden layer's gradient (RMS per weight) over the last hidden layer's, mean over seeds"
            set logscale y
            set format y "10^{%L}"
            set xlabel "epoch"
            set ylabel "first / last hidden layer gradient"
            """)
    }
}
