import Foundation

/// The end-of-run summary: per problem, optimizers ranked by the mean over repeats of
/// their best setting's final metric, computed from runs.csv alone.
public enum SuiteSummary {
    public struct Entry: Sendable, Equatable {
        public var optimizer: String
        public var convention: String
        /// The best setting, as `key=value` pairs of lr and the swept columns.
        public var setting: String
        public var mean: Double
        public var standardDeviation: Double
        public var repeats: Int
        public var diverged: Int
        /// Target column → mean epochs (or steps) over the repeats that reached it, and how many did.
        public var targets: [(column: String, mean: Double?, reached: Int)]
        /// The runs of the best setting (one per repeat and start).
        public var runIDs: [String]

        public static func == (a: Entry, b: Entry) -> Bool {
            a.optimizer == b.optimizer && a.setting == b.setting && a.mean == b.mean && a.standardDeviation == b.standardDeviation
        }
    }

    public struct ProblemRanking: Sendable {
        public var problem: String
        /// The metric ranked: `final_val_acc`, `final_test_acc` (higher is better) or `final_loss` (lower).
        public var metric: String
        public var higherIsBetter: Bool
        public var entries: [Entry]
    }

    /// Rankings from the rows of runs.csv (header first). `targets` lists each problem's
    /// target columns (default: every column that problem's runs filled at least once).
    public static func rank(_ rows: [[String]], targets: [String: [String]]? = nil) -> [ProblemRanking] {
        guard let header = rows.first else { return [] }
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        func value(_ row: [String], _ name: String) -> String { column[name].map { $0 < row.count ? row[$0] : "" } ?? "" }
        let settingColumns = Self.settingColumns(of: header)
        let targetColumns = header.filter { $0.hasPrefix("to_") }
        var problems: [String] = []
        for row in rows.dropFirst() where !problems.contains(value(row, "problem")) { problems.append(value(row, "problem")) }
        return problems.map { problem in
            let runs = rows.dropFirst().filter { value($0, "problem") == problem }
            let isSurface = runs.first.map { value($0, "type") == "surface" } ?? false
            let metric = isSurface ? "final_loss" : (runs.contains { !value($0, "final_val_acc").isEmpty } ? "final_val_acc" : "final_test_acc")
            let higher = !isSurface
            var groups: [String: [[String]]] = [:]
            var groupOrder: [String] = []
            for run in runs {
                let key = [value(run, "optimizer"), value(run, "convention")] + settingColumns.map { "\($0)=\(value(run, $0))" }
                    + [value(run, "start_x"), value(run, "start_y")]
                let joined = key.joined(separator: "|")
                if groups[joined] == nil { groupOrder.append(joined) }
                groups[joined, default: []].append(run)
            }
            var best: [String: Entry] = [:]
            var optimizerOrder: [String] = []
            for key in groupOrder {
                let members = groups[key]!
                let first = members[0]
                let name = value(first, "optimizer") + "|" + value(first, "convention")
                let scores = members.map { Double(value($0, metric)) ?? .nan }
                let finite = scores.filter(\.isFinite)
                let diverged = members.count - finite.count
                let mean = finite.isEmpty || diverged > 0 ? Double.nan : finite.reduce(0, +) / Double(finite.count)
                let variance = finite.count > 1 ? finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count - 1) : 0
                let setting = settingColumns.filter { !value(first, $0).isEmpty }.map { "\($0)=\(Self.display(value(first, $0)))" }.joined(separator: " ")
                let columns = targets?[problem] ?? targetColumns.filter { column in runs.contains { !value($0, column).isEmpty } }
                let targets = columns.map { column -> (String, Double?, Int) in
                    let reached = members.compactMap { Double(value($0, column)) }
                    return (column, reached.isEmpty ? nil : reached.reduce(0, +) / Double(reached.count), reached.count)
                }
                let entry = Entry(optimizer: value(first, "optimizer"), convention: value(first, "convention"), setting: setting,
                                  mean: mean, standardDeviation: variance.squareRoot(), repeats: members.count,
                                  diverged: diverged, targets: targets, runIDs: members.map { value($0, "run_id") })
                if best[name] == nil { optimizerOrder.append(name) }
                if let current = best[name] {
                    if better(entry.mean, than: current.mean, higher: higher) { best[name] = entry }
                } else {
                    best[name] = entry
                }
            }
            let entries = optimizerOrder.map { best[$0]! }.enumerated().sorted { a, b in
                if a.element.mean == b.element.mean || (a.element.mean.isNaN && b.element.mean.isNaN) { return a.offset < b.offset }
                return better(a.element.mean, than: b.element.mean, higher: higher)
            }.map(\.element)
            return ProblemRanking(problem: problem, metric: metric, higherIsBetter: higher, entries: entries)
        }
    }

    /// The columns of runs.csv that describe a setting: `lr` and every swept key (not the
    /// identity, start, outcome, target and timing columns).
    public static func settingColumns(of header: [String]) -> [String] {
        let fixed: Set<String> = ["run_id", "problem", "type", "optimizer", "convention", "repeat", "seed", "status",
                                  "epochs", "steps", "final_train_loss", "final_val_loss", "final_train_acc", "final_val_acc",
                                  "final_test_acc", "best_val_loss", "best_val_acc", "final_loss", "best_loss",
                                  "final_distance", "wall_seconds", "start_x", "start_y"]
        return header.filter { !fixed.contains($0) && !$0.hasPrefix("to_") }
    }

    /// A setting's value for people: whole numbers without their ".0" (batch_size=32, l2=0);
    /// runs.csv keeps its own spelling.
    public static func display(_ value: String) -> String {
        guard value.hasSuffix(".0"), let number = Double(value), number == number.rounded(), abs(number) < 1e15 else { return value }
        return String(value.dropLast(2))
    }

    /// NaN (diverged or failed) ranks last.
    static func better(_ a: Double, than b: Double, higher: Bool) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return higher ? a > b : a < b
    }

    /// The console table: one block per problem, its columns aligned.
    public static func text(_ rankings: [ProblemRanking]) -> String {
        var text = ""
        for ranking in rankings {
            text += "\n\(ranking.problem): ranked by \(ranking.metric) (\(ranking.higherIsBetter ? "higher" : "lower") is better), mean ± std over repeats\n"
            var rows: [[String]] = []
            for (rank, e) in ranking.entries.enumerated() {
                let score = e.mean.isNaN ? "diverged/failed" : String(format: "%.6g ± %.2g", e.mean, e.standardDeviation)
                var row = ["\(rank + 1).", "\(e.optimizer) (\(e.convention))", score, e.setting.isEmpty ? "" : "[\(e.setting)]"]
                for target in e.targets {
                    row.append("\(target.column): " + (target.mean.map { String(format: "%.1f", $0) } ?? "—") + " (\(target.reached)/\(e.repeats))")
                }
                rows.append(row)
            }
            text += alignedColumns(rows, rightAligned: [0]).map { "  " + $0 + "\n" }.joined()
        }
        return text
    }

    /// Rows padded so that their columns line up (counting characters, not bytes).
    static func alignedColumns(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, field in
                let padding = String(repeating: " ", count: widths[c] - field.count)
                return rightAligned.contains(c) ? padding + field : (c == row.count - 1 ? field : field + padding)
            }.joined(separator: "  ")
        }
    }
}
