import Foundation

/// One row of `runs.csv`, typed: what a run was (problem, optimizer, setting, seed) and
/// how it ended (status, final and best metrics, epochs or steps to each target).
public struct RunRecord: Sendable, Equatable {
    public enum ProblemType: String, Sendable { case network, surface, deepobs }

    public var runID: String
    public var problem: String
    public var type: ProblemType
    public var optimizer: String
    public var convention: String
    public var lr: Double?
    /// Swept settings other than `lr`, by column, as written (`layers` as `300-100`).
    public var settings: [String: String]
    public var start: Point?
    public var repeatIndex: Int
    public var seed: UInt64
    public var status: RunStatus
    public var epochs: Int?
    public var steps: Int?
    /// Final and best metrics by column (`final_val_acc`, `final_loss`, …), finite or absent.
    public var metrics: [String: Double]
    /// Target column (`to_val_acc_0.97`) → the epoch or step it was first reached.
    public var reached: [String: Int]
    public var wallSeconds: Double?
    /// Under a tuning protocol: `tune` or `confirm`, and the trial the setting came from.
    public var phase: RunPhase? = nil
    public var trial: Int? = nil

    /// The metric of `column`, or nil when the run has none (or it is not finite).
    public func metric(_ column: String) -> Double? { metrics[column] }

    /// Ranked: the run ended normally (all steps or epochs, or early stopping).
    public var isUsable: Bool { status.isUsable }
}

/// `runs.csv`: its schema (fixed columns, setting columns, target columns) declared once,
/// and the reader every consumer uses.
public struct RunsTable: Sendable {
    /// Columns before the swept settings.
    public static let leadingColumns = ["run_id", "problem", "type", "optimizer", "convention", "lr"]
    /// Columns between the swept settings and the targets.
    public static let outcomeColumns = ["start_x", "start_y", "repeat", "seed", "status", "epochs", "steps"]
    /// Metric columns, each a final or best value of a network or a surface run.
    public static let metricColumns = ["final_train_loss", "final_val_loss", "final_train_acc", "final_val_acc", "final_test_acc",
                                       "best_val_loss", "best_val_acc", "final_loss", "best_loss", "final_distance"]
    public static let trailingColumns = ["wall_seconds"]
    /// Metric columns of suites with a DeepOBS problem only, after the others.
    public static let deepOBSColumns = ["final_test_loss"]
    /// Columns of suites with a tuning protocol only, after `seed`.
    public static let protocolColumns = ["phase", "trial"]

    /// The header for a suite sweeping `sweptKeys` (lr among them or not) with `targetColumns`.
    public static func header(sweptKeys: [String], targetColumns: [String], tuning: Bool = false, deepOBS: Bool = false) -> [String] {
        var outcome = outcomeColumns
        if tuning { outcome.insert(contentsOf: protocolColumns, at: outcome.firstIndex(of: "status")!) }
        return leadingColumns + sweptKeys.filter { $0 != "lr" }.sorted() + outcome + metricColumns + (deepOBS ? deepOBSColumns : [])
            + targetColumns.sorted() + trailingColumns
    }

    /// The setting columns of a header: `lr` and every swept key.
    public static func settingColumns(of header: [String]) -> [String] {
        let fixed = Set(leadingColumns + outcomeColumns + protocolColumns + metricColumns + deepOBSColumns + trailingColumns).subtracting(["lr"])
        return header.filter { !fixed.contains($0) && !$0.hasPrefix("to_") }
    }

    public let header: [String]
    public let settingColumns: [String]
    public let targetColumns: [String]
    public let records: [RunRecord]

    /// Reads the rows of a runs.csv (header first). A row whose required fields do not
    /// parse is an ``InputError`` naming the row: a results folder is input too.
    public init(rows: [[String]], file: String = "runs.csv") throws {
        guard let header = rows.first else { throw InputError("runs.csv is empty", file: file) }
        for column in ["run_id", "problem", "type", "optimizer", "convention", "status"] where !header.contains(column) {
            throw InputError("runs.csv has no '\(column)' column", file: file)
        }
        self.header = header
        settingColumns = Self.settingColumns(of: header)
        targetColumns = header.filter { $0.hasPrefix("to_") }
        let index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var records: [RunRecord] = []
        for (n, row) in rows.dropFirst().enumerated() {
            func field(_ name: String) -> String { index[name].flatMap { $0 < row.count ? row[$0] : nil } ?? "" }
            func number(_ name: String) -> Double? { Double(field(name)).flatMap { $0.isFinite ? $0 : nil } }
            guard row.count == header.count else {
                throw InputError("row \(n + 2) has \(row.count) fields; the header has \(header.count)", file: file, line: n + 2)
            }
            guard let type = RecordType(rawValue: field("type")) else {
                throw InputError("row \(n + 2): type '\(Identifier.printable(field("type")))' is not network, surface or deepobs", file: file, line: n + 2)
            }
            guard let status = RunStatus(rawValue: field("status")) else {
                throw InputError("row \(n + 2): status '\(Identifier.printable(field("status")))' is not one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))", file: file, line: n + 2)
            }
            var settings: [String: String] = [:]
            for column in settingColumns where column != "lr" { settings[column] = field(column) }
            var metrics: [String: Double] = [:]
            for column in Self.metricColumns + Self.deepOBSColumns { metrics[column] = number(column) }
            var reached: [String: Int] = [:]
            for column in targetColumns { reached[column] = Int(field(column)) }
            let start = number("start_x").flatMap { x in number("start_y").map { Point(x, $0) } }
            records.append(RunRecord(runID: field("run_id"), problem: field("problem"), type: type, optimizer: field("optimizer"),
                                     convention: field("convention"), lr: number("lr"), settings: settings, start: start,
                                     repeatIndex: Int(field("repeat")) ?? 0, seed: UInt64(field("seed")) ?? 0, status: status,
                                     epochs: Int(field("epochs")), steps: Int(field("steps")), metrics: metrics,
                                     reached: reached, wallSeconds: number("wall_seconds"),
                                     phase: RunPhase(rawValue: field("phase")), trial: Int(field("trial"))))
        }
        self.records = records
    }

    typealias RecordType = RunRecord.ProblemType

    /// Reads `runs.csv` from a file.
    public static func read(_ path: String) throws -> RunsTable {
        try RunsTable(rows: ResultsStore.readRows(path), file: path)
    }

    /// The problems in order of first appearance.
    public var problems: [String] {
        var seen: Set<String> = [], order: [String] = []
        for record in records where seen.insert(record.problem).inserted { order.append(record.problem) }
        return order
    }

    /// A record's setting as `key=value` pairs (lr first, then the swept keys), for people.
    public func settingText(_ record: RunRecord) -> String {
        settingColumns.compactMap { column -> String? in
            let value = column == "lr" ? record.lr.map(CSV.number) ?? "" : record.settings[column] ?? ""
            return value.isEmpty ? nil : "\(column)=\(SuiteSummary.display(value))"
        }.joined(separator: " ")
    }
}
