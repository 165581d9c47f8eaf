import Foundation

/// The CSV files of one results folder (a suite's, or one shard's): runs.csv,
/// epochs.csv, trajectories.csv.
///
/// Crash safety: a finished run's epoch and trajectory rows are appended first, each
/// file in one write, and its runs.csv row last. A run is complete when its runs.csv
/// row exists and its epoch or trajectory rows are all there; `repair()` drops a final
/// line cut short, rows of runs that never completed, and runs whose rows are missing
/// (so `--resume` runs them again), so a folder left by `kill -9` parses and resumes.
/// A run held back in memory to keep the canonical order (``expect(_:)``) has no row yet:
/// if the process dies then, `--resume` runs it again.
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
        lock.lock()
        writtenInOrder = true
        lastWrittenIndex = -1
        lock.unlock()
    }

    /// Whether every run since ``create()`` was written in increasing ``RunSpec/index``:
    /// then the files are already in canonical order and ``sort(by:)`` has nothing to do.
    private var writtenInOrder = false
    private var lastWrittenIndex = -1

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

    /// Finished runs waiting for an earlier one, by position in the expected order.
    private var pending: [Int: (index: Int, entry: Entry)] = [:]
    private typealias Entry = (epochs: [UInt8], trajectories: [UInt8], run: [UInt8])
    private var pendingBytes = 0
    private var expected: [String: Int] = [:]
    private var nextPosition = 0
    /// What finished runs may hold back before they are written out of order.
    static let pendingLimit = 16 << 20

    /// Announces the order runs are started in (the canonical one): a run that finishes
    /// before an earlier one waits in memory (up to ``pendingLimit`` bytes) so that the
    /// files come out in that order and the final ``sort(by:)`` finds nothing to move.
    /// Only the order of rows depends on this, never what is written.
    public func expect(_ runIDs: [String]) throws {
        lock.lock()
        defer { lock.unlock() }
        try flushPending()
        expected = Dictionary(runIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        nextPosition = 0
    }

    /// Writes every run still waiting (in the expected order); called when a batch of runs
    /// ends, normally or not.
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        try flushPending()
    }

    private func flushPending() throws {
        for position in pending.keys.sorted() {
            let waiting = pending.removeValue(forKey: position)!
            try write(waiting.entry, index: waiting.index)
        }
        pendingBytes = 0
        expected = [:]
    }

    /// Appends a finished run: its epoch and trajectory rows, then its runs.csv row.
    /// The rows are turned into bytes before the lock is taken, so that parallel jobs
    /// format their rows side by side and only the writes are serialized.
    public func append(_ outcome: RunOutcome) throws {
        let entry = (epochs: Self.bytes(outcome.epochRows), trajectories: outcome.trajectoryCSV,
                     run: Self.bytes([runsHeader.map { outcome.fields[$0] ?? "" }]))
        lock.lock()
        defer { lock.unlock() }
        guard let position = expected[outcome.run.id] else { return try write(entry, index: outcome.run.index) }
        pending[position] = (outcome.run.index, entry)
        pendingBytes += entry.epochs.count + entry.trajectories.count + entry.run.count
        while let next = pending.removeValue(forKey: nextPosition) {
            pendingBytes -= next.entry.epochs.count + next.entry.trajectories.count + next.entry.run.count
            try write(next.entry, index: next.index)
            nextPosition += 1
        }
        // A long run holding back many short ones: they go out now, and the sort orders them.
        if pendingBytes > Self.pendingLimit { try flushPending() }
    }

    private func write(_ entry: Entry, index: Int) throws {
        if index <= lastWrittenIndex { writtenInOrder = false }
        lastWrittenIndex = index
        if !entry.epochs.isEmpty { try write(entry.epochs, to: epochsPath) }
        if !entry.trajectories.isEmpty { try write(entry.trajectories, to: trajectoriesPath) }
        try write(entry.run, to: runsPath)
    }

    /// The rows as CSV bytes (what ``CSV/row(_:)`` gives, without building each line as a String).
    public static func bytes(_ rows: [[String]]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.count * ((rows.first?.count ?? 0) * 12 + 1))
        for row in rows {
            for (i, field) in row.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                bytes.append(contentsOf: CSV.escape(field).utf8)
            }
            bytes.append(0x0A)
        }
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
        if writtenInOrder { return }
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
