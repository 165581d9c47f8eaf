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

    /// Add the learning rate of each epoch (recorded when a suite uses schedules) as a panel
    /// of the loss figure (`optlab plot --lr`).
    public var showLearningRate = false

    /// Only the runs whose runs.csv columns take one of the given values (`--where`): a
    /// column name and its accepted values; numbers match by value (`0.01` = `1e-2`).
    public var selection: [(column: String, values: [String])] = []

    public init(resultsDirectory: String, plotsDirectory: String, animate: Bool = false) {
        self.resultsDirectory = resultsDirectory
        self.plotsDirectory = plotsDirectory
        self.animate = animate
    }

    /// Parses `--where column=v1,v2` conditions.
    public static func parseSelection(_ conditions: [String]) throws -> [(column: String, values: [String])] {
        try conditions.map { condition in
            let parts = condition.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError("--where expects column=value[,value...], e.g. --where optimizer=sgd,momentum; got '\(condition)'")
            }
            return (parts[0], parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    /// The rows `selection` keeps; an unknown column, or nothing left, is an input error.
    static func select(_ table: Table, _ selection: [(column: String, values: [String])]) throws -> Table {
        guard !selection.isEmpty else { return table }
        for condition in selection where !table.has(condition.column) {
            var message = "--where: runs.csv has no column '\(condition.column)'"
            if let near = NearestName.match(condition.column, in: table.header) { message += "; did you mean '\(near)'?" }
            throw InputError(message + " (columns: \(table.header.joined(separator: ", ")))")
        }
        func matches(_ value: String, _ wanted: String) -> Bool {
            if let a = Double(value), let b = Double(wanted) { return a == b }
            return value == wanted
        }
        let rows = table.rows.filter { row in
            selection.allSatisfy { condition in condition.values.contains { matches(table.value(row, condition.column), $0) } }
        }
        guard !rows.isEmpty else {
            throw InputError("--where " + selection.map { "\($0.column)=\($0.values.joined(separator: ","))" }.joined(separator: " ") + " selects no run")
        }
        return Table([table.header] + rows)
    }

    // MARK: Reading results

    typealias Table = CSVTable

    /// Rows of a large CSV whose first field is one of `ids`, without parsing the others,
    /// read a chunk at a time: memory grows with the rows kept, not with the file.
    static func rows(of path: String, ids: Set<String>) throws -> [String: [[String]]] {
        guard LineStream.resolve(path) != nil else { return [:] }
        var result: [String: [[String]]] = [:]
        try LineStream.forEachLine(path) { line in
            let id = String(LineStream.firstField(line))
            guard ids.contains(id) else { return }
            result[id, default: []].append(String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init))
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
        let runs = try Self.select(Table(try ResultsStore.readRows(resultsDirectory + "/runs.csv")), selection)
        let targets = Dictionary(uniqueKeysWithValues: suite.problems.map { ($0.name, $0.targets.map(\.column)) })
        let rankings = SuiteSummary.rank([runs.header] + runs.rows, targets: targets, tuning: suite.tuning)
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
            case .deepobs(let p):
                figures += try deepOBSFigures(p, ranking: ranking, runs: runs, problemRuns: problemRuns, source: source)
                continue
            case .network(let p):
                let ids = Set(ranking.entries.flatMap(\.runIDs))
                let epochs = try Self.rows(of: resultsDirectory + "/epochs.csv", ids: ids)
                if epochs.values.allSatisfy(\.isEmpty) {
                    leftOut.append("\(p.name): loss, accuracy, ranking and heatmap (no ranked run has epoch rows: every run failed or diverged)")
                } else {
                    // The learning rate of each epoch (a schedule's), when asked and recorded.
                    let lrColumn = showLearningRate ? try LineStream.header(of: resultsDirectory + "/epochs.csv").firstIndex(of: "lr") : nil
                    figures += try networkFigures(p, ranking: ranking, runs: runs, problemRuns: problemRuns, epochs: epochs, source: source,
                                                  lrColumn: lrColumn)
                }
            }
            if problemRuns.allSatisfy({ RunStatus(rawValue: runs.value($0, "status")) == .failed }) {
                leftOut.append("\(problem.name): learning-rate sensitivity (every run failed)")
            } else {
                figures.append(try learningRateFigure(problem, ranking: ranking, runs: runs, problemRuns: problemRuns, source: source))
            }
        }
        for analysis in suite.tuning == nil ? MomentumAnalysis.analyses(runsCSV: [runs.header] + runs.rows) : [] {
            guard analysis.cells.contains(where: { $0.meanToTarget != nil }) else {
                leftOut.append("\(analysis.problem): momentum heatmap and cells for \(analysis.target) (no cell reached the target)")
                continue
            }
            figures.append(try momentumFigure(analysis, source: source))
            guard let problem = suite.problems.first(where: { $0.name == analysis.problem }) else { continue }
            if let figure = try momentumCellsFigure(analysis, problem: problem, runs: runs, source: source) { figures.append(figure) }
        }
        figures += try claimFigures(suite: suite.name, runs: runs, source: source)
        return (figures, leftOut)
    }

    /// Writes one file of the plots folder; its name must be a plain file name there.
    func save(_ text: String, _ file: String) throws {
        try Gnuplot.checkFileName(file)
        try Data(text.utf8).write(to: URL(fileURLWithPath: plotsDirectory + "/" + file), options: .atomic)
    }

    static func fmt(_ value: Double) -> String { value.isFinite ? "\(value)" : "nan" }

    static func label(_ entry: SuiteSummary.Entry) -> String {
        let setting = entry.setting.isEmpty ? "" : " (" + entry.setting.replacingOccurrences(of: " ", with: ", ") + ")"
        return Gnuplot.text(entry.optimizer + setting)
    }

    static func surfaceMap(_ surface: Surface, data: String) -> String {
        surfaceMap(PlotWindow(x: surface.xRange, y: surface.yRange), data: data)
    }

    static func surfaceMap(_ window: PlotWindow, data: String) -> String {
        """
        set xlabel "x"
        set ylabel "y"
        set xrange [\(window.x.lower):\(window.x.upper)]
        set yrange [\(window.y.lower):\(window.y.upper)]
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
