import Foundation

/// The CSV files of one results folder (a suite's, or one shard's): runs.csv,
/// epochs.csv, trajectories.csv.
///
/// Crash safety: a finished run's epoch and trajectory rows are appended first, each
/// file in one write, and its runs.csv row last. A run is complete when its runs.csv
/// row exists and its epoch or trajectory rows are all there; `repair()` drops a final
/// line cut short, rows of runs that never completed, and runs whose rows are missing
/// (so `--resume` runs them again), so a folder left by `kill -9` parses and resumes.
public final class ResultsStore: @unchecked Sendable {
    public let directory: String
    public let runsHeader: [String]
    public let epochsHeader: [String]
    private let lock = NSLock()
    private var descriptors: [String: Int32] = [:]

    public static let trajectoriesHeader = ["run_id", "step", "x", "y", "loss"]

    public init(directory: String, runsHeader: [String], epochsHeader: [String]) {
        self.directory = directory
        self.runsHeader = runsHeader
        self.epochsHeader = epochsHeader
    }

    var runsPath: String { directory + "/runs.csv" }
    var epochsPath: String { directory + "/epochs.csv" }
    var trajectoriesPath: String { directory + "/trajectories.csv" }

    public var exists: Bool { FileManager.default.fileExists(atPath: runsPath) }

    /// Run ids with a runs.csv row.
    public func completedRunIDs() throws -> Set<String> {
        guard exists else { return [] }
        return Set(try Self.readRows(runsPath).dropFirst().compactMap(\.first))
    }

    /// Creates the three files with their headers (replacing any).
    public func create() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (path, header) in [(runsPath, runsHeader), (epochsPath, epochsHeader), (trajectoriesPath, Self.trajectoriesHeader)] {
            try Data(CSV.row(header).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// Makes a folder left by an interrupted process consistent: drops a final line cut
    /// short, epoch and trajectory rows of runs without a runs.csv row, and runs whose
    /// epoch or trajectory rows are not all there (a deleted or torn file); returns how
    /// many runs were dropped that way. An empty runs.csv starts the folder afresh.
    /// Refuses a runs.csv whose header differs (results of another suite version).
    @discardableResult
    public func repair() throws -> Int {
        var runs = try Self.readRows(runsPath)
        if runs.isEmpty {
            try create()
            return 0
        }
        guard runs.first == runsHeader else {
            throw InputError("runs.csv has other columns than this suite produces; the suite changed", file: runsPath)
        }
        // What each run has in epochs.csv (rows) and trajectories.csv (rows, last step),
        // read a line at a time: epochs.csv and trajectories.csv are never held whole.
        var epochRows: [Substring: Int] = [:], trajectoryRows: [Substring: (count: Int, last: Int)] = [:]
        var paddings: [Int] = []
        for (index, (path, header)) in [(epochsPath, epochsHeader), (trajectoriesPath, Self.trajectoriesHeader)].enumerated() {
            guard FileManager.default.fileExists(atPath: path) else { paddings.append(0); continue }
            var old: [String]?
            try LineStream.forEachLine(path) { line in
                guard old != nil else {
                    old = CSV.parse(String(decoding: line, as: UTF8.self) + "\n").first ?? []
                    return
                }
                let id = LineStream.firstField(line)
                if index == 0 {
                    epochRows[id, default: 0] += 1
                } else {
                    let step = LineStream.field(line, 1).flatMap { Int($0) } ?? -1
                    let current = trajectoryRows[id] ?? (0, -1)
                    trajectoryRows[id] = (current.count + 1, max(current.last, step))
                }
            }
            // Rows written under an earlier version of the header are padded; another is refused.
            let written = old ?? header
            guard written == header || (written.count < header.count && Array(header.prefix(written.count)) == written) else {
                throw InputError("the header \(written.joined(separator: ",")) is not this version's \(header.joined(separator: ","))", file: path)
            }
            paddings.append(header.count - written.count)
        }
        // A finished network run has one epochs.csv row per epoch (a DeepOBS run one more:
        // epoch 0); a finished surface run has its recorded trajectory rows ending at its
        // last step (which `record:` always keeps).
        let column = Dictionary(runsHeader.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func complete(_ row: [String]) -> Bool {
            guard row.count == runsHeader.count else { return false }
            func field(_ name: String) -> String { column[name].map { row[$0] } ?? "" }
            let id = Substring(row[0])
            let epochs = Int(field("epochs")).map { field("type") == "deepobs" ? $0 + 1 : $0 } ?? 0
            guard (epochRows[id] ?? 0) == epochs else { return false }
            if let steps = Int(field("steps")) {
                guard let recorded = trajectoryRows[id] else { return false }
                return recorded.last == steps
            }
            return trajectoryRows[id] == nil
        }
        let before = runs.count
        runs = [runs[0]] + runs.dropFirst().filter(complete)
        let dropped = before - runs.count
        try Self.writeAtomically(runsPath, rows: runs)
        let kept: Set<Substring> = Set(runs[1...].map { Substring($0[0]) })
        for (index, (path, header)) in [(epochsPath, epochsHeader), (trajectoriesPath, Self.trajectoriesHeader)].enumerated() {
            try LineStream.rewrite(path, header: header, padding: paddings[index]) { kept.contains(LineStream.firstField($0)) }
        }
        return dropped
    }

    /// Rows written under an earlier version of `header` (a prefix of it: columns were
    /// only ever added at the end) padded with empty fields; any other header is refused.
    public static func conform(_ rows: [[String]], to header: [String], file: String) throws -> [[String]] {
        guard let old = rows.first, old != header else { return rows }
        guard old.count < header.count, Array(header.prefix(old.count)) == old else {
            throw InputError("the header \(old.joined(separator: ",")) is not this version's \(header.joined(separator: ","))", file: file)
        }
        let padding = [String](repeating: "", count: header.count - old.count)
        return [header] + rows.dropFirst().map { $0 + padding }
    }

    /// Appends a finished run: its epoch and trajectory rows, then its runs.csv row.
    /// The rows are turned into bytes before the lock is taken, so that parallel jobs
    /// format their rows side by side and only the writes are serialized.
    public func append(_ outcome: RunOutcome) throws {
        let epochs = Self.bytes(outcome.epochRows), trajectories = Self.bytes(outcome.trajectoryRows)
        let run = Self.bytes([runsHeader.map { outcome.fields[$0] ?? "" }])
        lock.lock()
        defer { lock.unlock() }
        if !epochs.isEmpty { try write(epochs, to: epochsPath) }
        if !trajectories.isEmpty { try write(trajectories, to: trajectoriesPath) }
        try write(run, to: runsPath)
    }

    static func bytes(_ rows: [[String]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for row in rows { bytes.append(contentsOf: CSV.row(row).utf8) }
        return bytes
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        if descriptors[path] == nil {
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else { throw RuntimeFailure("cannot open \(path) for appending: \(String(cString: strerror(errno)))") }
            descriptors[path] = descriptor
        }
        try FileWriting.writeAll(descriptors[path]!, bytes, path: path)
    }

    private func closeFiles() {
        for descriptor in descriptors.values { close(descriptor) }
        descriptors = [:]
    }

    /// Rewrites the files with runs in canonical order (rows of one run keep their order).
    public func sort(by order: [String: Int]) throws {
        lock.lock()
        defer { lock.unlock() }
        closeFiles()
        for path in [runsPath, epochsPath, trajectoriesPath] {
            try Self.sortLines(path, by: order)
        }
    }

    /// Reorders a CSV file's lines by the run id in their first field, keeping the header
    /// first and the lines of one run in their order, without parsing the fields and with
    /// bounded memory (``LineSorter``). Line breaks inside quoted fields stay inside their
    /// row. A final line without its newline is dropped.
    public static func sortLines(_ path: String, by order: [String: Int]) throws {
        try LineSorter.sort(path, by: order)
    }

    /// Rows of a CSV file, without a trailing line that lacks its newline.
    public static func readRows(_ path: String) throws -> [[String]] {
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw RuntimeFailure("cannot read \(path)")
        }
        if let lastNewline = text.lastIndex(of: "\n") {
            text = String(text[...lastNewline])
        } else {
            text = ""
        }
        return CSV.parse(text)
    }

    /// Writes a temporary file and renames it over `path`: readers see the old or the
    /// new file, never a mixture.
    public static func writeAtomically(_ path: String, rows: [[String]]) throws {
        try Data(rows.map(CSV.row).joined().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    deinit { closeFiles() }
}
