import Foundation

/// Writes one gnuplot script per figure of a suite into `plots/<suite>/`, with the small
/// data files they read (whitespace-separated `.dat`, by relative path), and renders them.
///
/// Figures: for each surface problem, the descent trajectories over the contour map and
/// the loss against step; for each network problem, training and validation loss against
/// epoch (mean over repeats with a min–max band), validation loss against seconds,
/// validation accuracy against epoch, a ranking bar chart and, when both are swept, an
/// lr × L2 heatmap per optimizer; for every problem, the learning-rate sensitivity. Each
/// optimizer appears at its best setting (``SuiteSummary``), in its fixed colour.
public struct SuitePlotter {
    public struct Figure: Sendable, Equatable {
        public var name: String
        public var title: String
    }

    public let resultsDirectory: String
    public let plotsDirectory: String
    /// Also write, per surface, a script for a GIF of the trajectories growing step by step.
    public var animate: Bool

    public init(resultsDirectory: String, plotsDirectory: String, animate: Bool = false) {
        self.resultsDirectory = resultsDirectory
        self.plotsDirectory = plotsDirectory
        self.animate = animate
    }

    // MARK: Reading results

    typealias Table = CSVTable

    /// Rows of a large CSV whose first field is one of `ids`, without parsing the others.
    static func rows(of path: String, ids: Set<String>) throws -> [String: [[String]]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var result: [String: [[String]]] = [:]
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var lineStart = 0
            let count = bytes.count
            var i = 0
            while i < count {
                if bytes[i] == 0x0A {
                    if let comma = (lineStart..<i).first(where: { bytes[$0] == 0x2C }) {
                        let id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<comma]), as: UTF8.self)
                        if ids.contains(id) {
                            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<i]), as: UTF8.self)
                            result[id, default: []].append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
                        }
                    }
                    lineStart = i + 1
                }
                i += 1
            }
        }
        return result
    }

    // MARK: Writing

    /// Writes every script and data file; returns the figures.
    @discardableResult
    public func write() throws -> [Figure] {
        try writeAll().figures
    }

    /// Writes every script and data file; returns the figures, and the figures left out
    /// with why (a problem whose runs all failed has no rows to draw: no script is written
    /// for it rather than one gnuplot cannot render).
    public func writeAll() throws -> (figures: [Figure], leftOut: [String]) {
        let suite = try ResolvedSuite.suite(in: resultsDirectory)
        let runs = Table(try ResultsStore.readRows(resultsDirectory + "/runs.csv"))
        let targets = Dictionary(uniqueKeysWithValues: suite.problems.map { ($0.name, $0.targets.map(\.column)) })
        let rankings = SuiteSummary.rank([runs.header] + runs.rows, targets: targets)
        try FileManager.default.createDirectory(atPath: plotsDirectory, withIntermediateDirectories: true)
        let source = "the results of suite '\(suite.name)'"
        var figures: [Figure] = [], leftOut: [String] = []
        for ranking in rankings {
            guard let problem = suite.problems.first(where: { $0.name == ranking.problem }) else { continue }
            let problemRuns = runs.rows.filter { runs.value($0, "problem") == ranking.problem }
            switch problem {
            case .surface(let p):
                let ids = Set(ranking.entries.compactMap { $0.runIDs.first ?? $0.exampleRunID })
                let paths = try Self.rows(of: resultsDirectory + "/trajectories.csv", ids: ids)
                if paths.values.allSatisfy(\.isEmpty) {
                    leftOut.append("\(p.name): trajectories and loss (no trajectory rows: every run failed)")
                } else {
                    figures += try surfaceFigures(p, ranking: ranking, runs: runs, paths: paths, source: source)
                }
            case .network(let p):
                let ids = Set(ranking.entries.flatMap(\.runIDs))
                let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: ids)
                if epochs.values.allSatisfy(\.isEmpty) {
                    leftOut.append("\(p.name): loss, accuracy, ranking and heatmap (no ranked run has epoch rows: every run failed or diverged)")
                } else {
                    figures += try networkFigures(p, ranking: ranking, runs: runs, problemRuns: problemRuns, epochs: epochs, source: source)
                }
            }
            if problemRuns.allSatisfy({ RunStatus(rawValue: runs.value($0, "status")) == .failed }) {
                leftOut.append("\(problem.name): learning-rate sensitivity (every run failed)")
            } else {
                figures.append(try learningRateFigure(problem, ranking: ranking, runs: runs, problemRuns: problemRuns, source: source))
            }
        }
        for analysis in MomentumAnalysis.analyses(runsCSV: [runs.header] + runs.rows) {
            guard analysis.cells.contains(where: { $0.meanToTarget != nil }) else {
                leftOut.append("\(analysis.problem): momentum heatmap and cells for \(analysis.target) (no cell reached the target)")
                continue
            }
            figures.append(try momentumFigure(analysis, source: source))
            guard let problem = suite.problems.first(where: { $0.name == analysis.problem }) else { continue }
            if let figure = try momentumCellsFigure(analysis, problem: problem, runs: runs, source: source) { figures.append(figure) }
        }
        return (figures, leftOut)
    }

    /// Writes one file of the plots folder; its name must be a plain file name there.
    private func save(_ text: String, _ file: String) throws {
        try Gnuplot.checkFileName(file)
        try Data(text.utf8).write(to: URL(fileURLWithPath: plotsDirectory + "/" + file), options: .atomic)
    }

    static func fmt(_ value: Double) -> String { value.isFinite ? "\(value)" : "nan" }

    static func label(_ entry: SuiteSummary.Entry) -> String {
        let setting = entry.setting.isEmpty ? "" : " (" + entry.setting.replacingOccurrences(of: " ", with: ", ") + ")"
        return Gnuplot.text(entry.optimizer + setting)
    }

    // MARK: Surfaces

    private func surfaceFigures(_ problem: Suite.SurfaceProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                paths: [String: [[String]]], source: String) throws -> [Figure] {
        let surface = problem.surface
        let name = problem.name
        let floor = surface.minimumValue ?? 0
        // The function on a 160 × 160 grid (log-scaled above its minimum where it spans decades).
        let n = 160
        let xs = (0..<n).map { surface.xRange.lower + (surface.xRange.upper - surface.xRange.lower) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { surface.yRange.lower + (surface.yRange.upper - surface.yRange.lower) * Double($0) / Double(n - 1) }
        var grid = "\(n) " + xs.map(Self.fmt).joined(separator: " ") + "\n"
        for y in ys {
            let values = xs.map { x -> Double in
                let f = surface.value(at: Point(x, y))
                return surface.logScaleLevels ? log10(f - floor + 1e-3) : f
            }
            grid += Self.fmt(y) + " " + values.map { String(format: "%.6g", $0) }.joined(separator: " ") + "\n"
        }
        try save(grid, "\(name)-surface.dat")

        // Paths of each optimizer's best run, thinned to at most ~1,500 points.
        var pathText = "# optimizer step x y loss loss_above_minimum\n"
        var blocks: [(entry: SuiteSummary.Entry, every: Int, diverged: Bool)] = []
        var finiteMax = 0.0
        for entry in ranking.entries {
            guard let id = entry.runIDs.first ?? entry.exampleRunID, let rows = paths[id], !rows.isEmpty else { continue }
            let stride = max(1, rows.count / 1500)
            let kept = rows.enumerated().filter { $0.offset % stride == 0 || $0.offset == rows.count - 1 }.map(\.element)
            pathText += "# \(entry.optimizer)\n"
            for row in kept {
                let loss = Double(row[4]) ?? .nan
                let above = max(loss - floor, 1e-16)
                pathText += "\(entry.optimizer) \(row[1]) \(row[2]) \(row[3]) \(row[4]) \(Self.fmt(above))\n"
            }
            pathText += "\n\n"
            let status = runs.rows.first { $0.first == id }.flatMap { RunStatus(rawValue: runs.value($0, "status")) }
            if status != .diverged { finiteMax = max(finiteMax, kept.compactMap { Double($0[4]) }.map { max($0 - floor, 1e-16) }.max() ?? 0) }
            blocks.append((entry, max(1, kept.count / 12), status == .diverged))
        }
        try save(pathText, "\(name)-paths.dat")

        var script = PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source)
        script += """
            set title "\(surface.name): \(surface.formula.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "_", with: "\\\\_"))" noenhanced

            """ + Self.surfaceMap(surface, data: "\(name)-surface.dat")
            + "plot " + Self.surfaceMapLayers(data: "\(name)-surface.dat").joined(separator: ", \\\n     ")
        var layers: [String] = []
        for (i, block) in blocks.enumerated() {
            let color = PlotStyle.color(block.entry.optimizer)
            let suffix = block.diverged ? " [diverged]" : ""
            layers.append("\"\(name)-paths.dat\" index \(i) using 3:4 with lines lw 2 lc rgb \"\(color)\" title \"\(Self.label(block.entry))\(suffix)\"")
            layers.append("\"\(name)-paths.dat\" index \(i) every \(block.every) using 3:4 with points pt 7 ps 0.7 lc rgb \"\(color)\" notitle")
        }
        let start = blocks.first.flatMap { block in (block.entry.runIDs.first ?? block.entry.exampleRunID).flatMap { paths[$0]?.first } }.map { "\($0[2]) \($0[3])" } ?? "\(surface.start.x) \(surface.start.y)"
        script = script.replacingOccurrences(of: "\nplot \"", with: "\n$start << EOD\n\(start)\nEOD\n$minima << EOD\n"
            + surface.minima.map { "\($0.x) \($0.y)" }.joined(separator: "\n") + "\nEOD\nplot \"")
        layers.append("$start using 1:2 with points pt 4 ps 2 lw 2 lc rgb \"#000000\" title \"start\"")
        if !surface.minima.isEmpty {
            layers.append("$minima using 1:2 with points pt 3 ps 2.2 lw 2 lc rgb \"#c00000\" title \"global minimum\"")
        }
        script += ", \\\n     " + layers.joined(separator: ", \\\n     ") + "\n"
        try save(script, "\(name)-trajectories.gp")
        var animation: [Figure] = []
        if animate {
            // The same map, drawn 60 times with the paths cut at a growing step.
            let maxStep = blocks.compactMap { block in (block.entry.runIDs.first ?? block.entry.exampleRunID).flatMap { paths[$0]?.last.flatMap { Int($0[1]) } } }.max() ?? 1
            let setup = script.components(separatedBy: "\nplot \"")[0]
                .replacingOccurrences(of: PlotStyle.header(name: "\(name)-trajectories", title: "Descent trajectories on \(surface.name)", source: source), with: "")
            var gif = "# Trajectories on \(surface.name) growing step by step. Generated by `optlab plot --animate`\n"
            gif += "# from \(source). Render from this folder: gnuplot \(name)-animation.gp\n"
            gif += "set terminal gif animate delay 8 loop 0 size \(PlotStyle.size.width),\(PlotStyle.size.height) enhanced font \"Helvetica,11\"\n"
            gif += "set output \"\(name)-animation.gif\"\nset encoding utf8\nset key outside right top box opaque\n" + setup + "\n"
            let moving = blocks.enumerated().map { i, block in
                "\"\(name)-paths.dat\" index \(i) using 3:($2 <= S ? $4 : NaN) with lines lw 2 lc rgb \"\(PlotStyle.color(block.entry.optimizer))\" title \"\(Self.label(block.entry))\""
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
                Figure(name: "\(name)-loss", title: "Loss against step on \(surface.name)")] + animation
    }

    // MARK: Networks

    private func networkFigures(_ problem: Suite.NetworkProblem, ranking: SuiteSummary.ProblemRanking, runs: Table,
                                problemRuns: [[String]], epochs: [String: [[String]]], source: String) throws -> [Figure] {
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
            set multiplot layout 1,\(hasValidation ? 2 : 1) title "\(Gnuplot.text(name)): loss against epoch (mean over repeats, band: min–max)"
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

        // Ranking: final test accuracy of each optimizer's best setting, mean ± std.
        var bars = "# rank optimizer mean std color\n"
        for (i, entry) in ranking.entries.filter({ $0.rank != nil }).enumerated() {
            let values = entry.runIDs.compactMap { id in runs.rows.first { $0.first == id }.flatMap { runs.number($0, "final_test_acc") } }
            let mean = values.isEmpty ? Double.nan : values.reduce(0, +) / Double(values.count)
            let std = values.count > 1 ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : 0
            bars += "\(i) \(entry.optimizer) \(Self.fmt(mean)) \(Self.fmt(std)) \(Int(PlotStyle.color(entry.optimizer).dropFirst(), radix: 16)!)\n"
        }
        try save(bars, "\(name)-ranking.dat")
        var ranking = PlotStyle.header(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)", source: source)
        ranking += """
            set title "\(Gnuplot.text(name)): final test accuracy at each optimizer's best setting (error bars: ± std over repeats)"
            set ylabel "test accuracy"
            set style fill solid 0.85 border rgb "#333333"
            set boxwidth 0.7
            set xtics rotate by -30
            unset key
            set yrange [*:1]
            plot "\(name)-ranking.dat" using 1:3:5:xtic(2) with boxes lc rgb variable, \\
                 "" using 1:3:4 with yerrorbars pt -1 lc rgb "#000000"

            """
        try save(ranking, "\(name)-ranking.gp")
        figures.append(Figure(name: "\(name)-ranking", title: "Best final test accuracy per optimizer, \(name)"))

        if let heatmap = try heatmapFigure(problem, runs: runs, problemRuns: problemRuns, source: source) { figures.append(heatmap) }
        return figures
    }

    /// Final validation loss (test accuracy without validation) over the lr × L2 grid,
    /// one panel per optimizer, one colour scale; diverged cells marked ×.
    private func heatmapFigure(_ problem: Suite.NetworkProblem, runs: Table, problemRuns: [[String]], source: String) throws -> Figure? {
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
    static func surfaceMap(_ surface: Surface, data: String) -> String {
        """
        set xlabel "x"
        set ylabel "y"
        set xrange [\(surface.xRange.lower):\(surface.xRange.upper)]
        set yrange [\(surface.yRange.lower):\(surface.yRange.upper)]
        set size ratio -1
        set palette defined (0 "#fbfbfb", 1 "#dfe7ef", 2 "#a9bfd3")
        unset colorbox
        # Contour lines of the surface, computed once into a datablock.
        set contour base
        set cntrparam levels 18
        unset surface
        set view map
        set table $contours
        splot "\(data)" nonuniform matrix with lines notitle
        unset table
        unset contour

        """
    }

    /// The first two layers of a plot over `surfaceMap`: the shading and the contours.
    static func surfaceMapLayers(data: String) -> [String] {
        ["\"\(data)\" nonuniform matrix with image notitle", "$contours with lines lc rgb \"#8a9bb0\" lw 0.6 notitle"]
    }

    static func short(_ value: Double) -> String { value == 0 ? "0" : String(format: "%.3g", value) }

    // MARK: The momentum exercise

    /// Epochs (steps) to a target over ξ × α, the values printed in the cells; diverged
    /// cells marked ×, cells where no run reached the target left blank.
    private func momentumFigure(_ a: MomentumAnalysis, source: String) throws -> Figure {
        let name = "\(a.problem)-momentum-\(a.target)"
        var text = "# xi_index alpha_index mean_to_target diverged label\n"
        for (i, xi) in a.xis.enumerated() {
            for (j, alpha) in a.alphas.enumerated() {
                let c = a.cell(xi: xi, alpha: alpha)
                let mean = c?.meanToTarget ?? .nan
                // Whole numbers without ".0"; a cell reached by only some repeats says so: "19 (2/3)".
                var label = c?.meanToTarget.map { $0 == $0.rounded() ? String(format: "%.0f", $0) : String(format: "%.1f", $0) } ?? "-"
                if let c, c.meanToTarget != nil, c.reached < c.repeats { label += " (\(c.reached)/\(c.repeats))" }
                text += "\(j) \(i) \(Self.fmt(mean)) \((c?.diverged ?? 0) > 0 ? 1 : 0) \"\(label)\"\n"
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
                 "" using 1:2:5 with labels font ",10" tc rgb "#ffffff", \\
                 "" using 1:($4 > 0 ? $2 : NaN) with points pt 2 ps 3 lw 2 lc rgb "#000000"

            """
        try save(script, "\(name).gp")
        return Figure(name: name, title: title)
    }

    /// Loss curves (networks) or trajectories (surfaces) of the analysis's chosen cells,
    /// mean over repeats for networks, the first repeat for surfaces.
    private func momentumCellsFigure(_ a: MomentumAnalysis, problem: Suite.Problem, runs: Table, source: String) throws -> Figure? {
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
            let (trainColumn, valColumn) = (header.firstIndex(of: "train_loss")!, header.firstIndex(of: "val_loss")!)
            var text = "# epoch train_loss_mean val_loss_mean, one block per chosen cell\n"
            var layers: [String] = []
            for (i, (cell, why)) in chosen.enumerated() {
                let series = ids[i].compactMap { epochs[$0] }
                let longest = series.map(\.count).max() ?? 0
                text += "# \(label(cell, why))\n"
                for e in 0..<longest {
                    func mean(_ column: Int) -> Double {
                        let values = series.compactMap { e < $0.count ? Double($0[e][column]) : nil }.filter(\.isFinite)
                        return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                    }
                    text += "\(e + 1) \(Self.fmt(mean(trainColumn))) \(Self.fmt(mean(valColumn)))\n"
                }
                text += "\n\n"
                let color = colors[i % colors.count]
                layers.append("\"\(name).dat\" index \(i) using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"\(color)\" title \"\(Gnuplot.text(label(cell, why))): train\"")
                layers.append("\"\(name).dat\" index \(i) using 1:3 with lines lw 2 dt 2 lc rgb \"\(color)\" title \"validation\"")
            }
            try save(text, "\(name).dat")
            var script = PlotStyle.header(name: name, title: "\(a.problem): loss of chosen (ξ, α) cells", source: source)
            script += """
                set title "\(Gnuplot.text(a.problem)): training (solid) and validation (dashed) loss of chosen cells, mean over repeats"
                set xlabel "epoch"
                set ylabel "cross-entropy loss"
                set logscale y
                plot \(layers.joined(separator: ", \\\n     "))

                """
            try save(script, "\(name).gp")
        case .surface(let p):
            let ids = chosen.compactMap { members($0.cell).first }
            guard ids.count == chosen.count else { return nil }
            let paths = try Self.rows(of: resultsDirectory + "/trajectories.csv", ids: Set(ids))
            var text = "# step x y, one block per chosen cell\n"
            var layers = Self.surfaceMapLayers(data: "\(p.name)-surface.dat")
            for (i, (cell, why)) in chosen.enumerated() {
                let rows = paths[ids[i]] ?? []
                let stride = max(1, rows.count / 1500)
                text += "# \(label(cell, why))\n"
                for (k, row) in rows.enumerated() where k % stride == 0 || k == rows.count - 1 { text += "\(row[1]) \(row[2]) \(row[3])\n" }
                text += "\n\n"
                layers.append("\"\(name).dat\" index \(i) using 2:3 with lines lw 2 lc rgb \"\(colors[i % colors.count])\" title \"\(Gnuplot.text(label(cell, why)))\"")
            }
            try save(text, "\(name).dat")
            let surface = p.surface
            var script = PlotStyle.header(name: name, title: "\(surface.name): trajectories of chosen (ξ, α) cells", source: source)
            script += """
                set title "\(surface.name): momentum trajectories of chosen (ξ, α) cells"

                """ + Self.surfaceMap(surface, data: "\(p.name)-surface.dat") + "plot \(layers.joined(separator: ", \\\n     "))\n"
            try save(script, "\(name).gp")
        }
        return Figure(name: name, title: "\(a.problem): chosen (ξ, α) cells by \(a.target)")
    }

    // MARK: Learning-rate sensitivity

    private func learningRateFigure(_ problem: Suite.Problem, ranking: SuiteSummary.ProblemRanking, runs: Table,
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

    // MARK: Rendering

    /// Runs gnuplot on each figure's script from the plots folder, once per format.
    /// Throws a ``RuntimeFailure`` saying how to render by hand when gnuplot is missing.
    public func render(_ figures: [Figure], formats: [String]) throws -> [String] {
        try Gnuplot.render(figures.map(\.name), formats: formats, in: plotsDirectory)
    }

    public static func gnuplotPath() -> String? {
        executableOnPath("gnuplot")
    }
}
