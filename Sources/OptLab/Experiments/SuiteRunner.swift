import Foundation

/// Runs a suite into its results folder: validation first, then the runs (in parallel,
/// resumable, optionally one shard), then canonical ordering and a summary.
public struct SuiteRunner {
    public enum ExistingResults: Sendable { case refuse, resume, restart }

    public var suite: Suite
    public var outputRoot: String
    public var jobs: Int
    /// Threads per network run: a fixed number, or (nil, the default) chosen as the suite
    /// goes: one per run while runs wait to start, then the processors that finished runs
    /// leave (``ProcessorShare``).
    public var threads: Int?
    public var shard: Shard?
    public var existing: ExistingResults
    /// Leave trajectories.csv gzipped (trajectories.csv.gz) at the end.
    public var gzip = false
    public var log: @Sendable (String) -> Void

    public init(suite: Suite, outputRoot: String = "results", jobs: Int = ThreadTeam.availableCores,
                shard: Shard? = nil, existing: ExistingResults = .refuse, log: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.suite = suite
        self.outputRoot = outputRoot
        self.jobs = max(1, jobs)
        self.shard = shard
        self.existing = existing
        self.log = log
    }

    /// `results/<suite>/`.
    public var suiteDirectory: String { outputRoot + "/" + suite.name }

    /// Where this process writes: the suite folder, or its shard's folder.
    public var directory: String { shard.map { suiteDirectory + "/shards/" + $0.folderName } ?? suiteDirectory }

    @discardableResult
    public func run() throws -> (ran: Int, skipped: Int) {
        if suite.tuning != nil, let shard {
            throw InputError("--shard \(shard) cannot split a suite with a tuning protocol: its confirmation runs depend on the tuning results; run it in one process", file: suite.file)
        }
        var all = suite.expand()
        let mine = all.filter { shard?.contains($0) ?? true }
        // One writer per folder: a second run, resume or merge on it exits 2.
        let folderLock = try FolderLock(directory)
        defer { withExtendedLifetime(folderLock) {} }
        let store = ResultsStore(directory: directory, runsHeader: suite.runsHeader, epochsHeader: suite.epochsHeader)
        var completed: Set<String> = []
        // A folder left gzipped is unpacked to be appended to (and packed again at the end).
        let packed = directory + "/trajectories.csv.gz"
        if FileManager.default.fileExists(atPath: packed) {
            if existing == .resume { try LineStream.gunzip(directory + "/trajectories.csv") } else if existing == .restart { unlink(packed) }
        }
        if store.exists {
            switch existing {
            case .refuse:
                throw InputError("\(directory) already holds results; pass --resume to continue them or --restart to discard them")
            case .restart:
                try store.create()
            case .resume:
                let recorded = try ResolvedSuite.readDigest(in: suiteDirectory)
                guard recorded == nil || recorded == suite.digest else {
                    throw InputError("the suite file changed since \(directory) was written (digest \(recorded!), now \(suite.digest)); pass --restart to discard those results and start over", file: suite.file)
                }
                let dropped = try store.repair()
                if dropped > 0 { log("\(dropped) run(s) had rows missing from epochs.csv or trajectories.csv; running them again") }
                completed = try store.completedRunIDs()
            }
        } else {
            try store.create()
        }
        try ResolvedSuite.write(suite, runs: all, to: suiteDirectory)
        // Published results a DeepOBS problem is compared with travel with the results.
        for case .deepobs(let p) in suite.problems {
            guard let source = p.baselines else { continue }
            let data = try InputFile.read(source, what: "baselines file", limit: 64 << 20)
            try data.write(to: URL(fileURLWithPath: suiteDirectory + "/" + DeepOBSBaselines.fileName(problem: p.name)), options: .atomic)
        }

        // One BLAS thread per run, whatever --jobs is: OpenBLAS's results depend in their
        // last bits on its thread count, and a run must give the same numbers alone, in
        // parallel or in a shard. Parallelism comes from running runs side by side.
        // OPTLAB_SUITE_BLAS_THREADS overrides this for benchmarking (BENCHMARKS.md); numbers
        // then match only runs made with the same thread count.
        let blasThreads = ProcessInfo.processInfo.environment["OPTLAB_SUITE_BLAS_THREADS"].flatMap { Int($0) } ?? 1
        BLASThreads.set(blasThreads)
        if blasThreads == 1 { BLASThreads.stopIdleWorkers() }
        let datasets = DatasetCache()
        let phase = suite.tuning == nil ? "" : " tuning runs"
        var todo = mine.filter { !completed.contains($0.id) }
        log("\(suite.name): \(all.count)\(phase)" + (shard.map { ", shard \($0): \(mine.count)" } ?? "")
            + (completed.isEmpty ? "" : ", \(mine.count - todo.count) already complete") + "; running \(todo.count) with \(jobs) job(s)")
        var ran = todo.count
        try execute(todo, store: store, datasets: datasets)
        if suite.tuning != nil {
            // The confirmation: each optimizer's best tuning trial, on fresh seeds.
            let table = try RunsTable.read(directory + "/runs.csv")
            let records = Dictionary(table.records.map { ($0.runID, $0) }, uniquingKeysWith: { _, last in last })
            let confirmation = suite.confirmationRuns(tuning: all, records: records)
            all += confirmation
            try ResolvedSuite.write(suite, runs: all, to: suiteDirectory)
            todo = confirmation.filter { !completed.contains($0.id) }
            log("\(suite.name): \(confirmation.count) confirmation runs of the selected settings"
                + (todo.count < confirmation.count ? ", \(confirmation.count - todo.count) already complete" : "") + "; running \(todo.count)")
            ran += todo.count
            try execute(todo, store: store, datasets: datasets)
        }
        try store.sort(by: Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.index) }))
        if gzip { try LineStream.gzip(directory + "/trajectories.csv") }
        let total = suite.tuning == nil ? mine.count : all.count
        return (ran, total - ran)
    }

    /// Runs `todo` with `jobs` workers, appending each finished run to the store.
    private func execute(_ todo: [RunSpec], store: ResultsStore, datasets: DatasetCache) throws {
        let progress = Progress(total: todo.count, log: log)
        let queue = WorkQueue(todo)
        let failure = FailureBox()
        let suite = self.suite
        try store.expect(todo.map(\.id))
        let share = ProcessorShare(processors: jobs, fixed: threads)
        let adaptive = threads == nil
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(todo.count, 1))) { _ in
            // Each worker keeps its teams (one per size it was given) for its runs.
            var teams: [Int: ThreadTeam] = [1: .serial]
            // The first failed write stops every worker: nothing after it claims success.
            while failure.error == nil, let run = queue.next() {
                progress.started(run, problem: suite.problems[run.problemIndex].name)
                share.started()
                // With --threads auto, a widened run keeps its wider team only while faster.
                let outcome = suite.execute(run, datasets: datasets, teamForEpoch: { _ in
                    let size = share.threads(waiting: queue.remaining)
                    if let team = teams[size] { return team }
                    let team = ThreadTeam(threads: size)
                    teams[size] = team
                    return team
                }, adaptive: adaptive)
                share.finished()
                do {
                    try store.append(outcome)
                    progress.finished(outcome)
                } catch {
                    failure.set(error)
                }
            }
        }
        progress.done()
        if share.widenedEpochs > 0 {
            log("\(share.widenedEpochs) epoch(s) of network runs had more than one thread (processors left free by finished runs); numbers are the same as on one")
        }
        if failure.error == nil {
            do { try store.flush() } catch { failure.set(error) }
        }
        if let error = failure.error {
            throw RuntimeFailure("\(error); the suite stopped there (runs finished before it are kept; fix the cause and continue with --resume)")
        }
    }
}

/// How many threads a network run gets for its next epoch. With a fixed count, that
/// count. Otherwise one while runs still wait to start (each processor runs its own run),
/// and once none wait, an equal share of the processors among the runs still going:
/// with two processors, the last run goes on with two threads when the other ends.
final class ProcessorShare: @unchecked Sendable {
    let processors: Int
    let fixed: Int?
    private var running = 0
    private(set) var widenedEpochs = 0
    private let lock = NSLock()

    init(processors: Int, fixed: Int?) {
        self.processors = max(1, processors)
        self.fixed = fixed
    }

    func started() { lock.lock(); running += 1; lock.unlock() }
    func finished() { lock.lock(); running -= 1; lock.unlock() }

    func threads(waiting: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let fixed { return fixed }
        guard waiting == 0, running > 0 else { return 1 }
        let share = max(1, processors / running)
        if share > 1 { widenedEpochs += 1 }
        return share
    }
}

private final class WorkQueue: @unchecked Sendable {
    private var runs: [RunSpec]
    private var position = 0
    private let lock = NSLock()
    init(_ runs: [RunSpec]) { self.runs = runs }
    /// Runs not yet handed out.
    var remaining: Int { lock.lock(); defer { lock.unlock() }; return runs.count - position }
    func next() -> RunSpec? {
        lock.lock()
        defer { lock.unlock() }
        guard position < runs.count else { return nil }
        position += 1
        return runs[position - 1]
    }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
    func set(_ error: Error) { lock.lock(); if first == nil { first = error }; lock.unlock() }
}

/// Progress: a live bar on a terminal, a plain line per finished run otherwise.
private final class Progress: @unchecked Sendable {
    let total: Int
    let log: @Sendable (String) -> Void
    let interactive = isatty(STDOUT_FILENO) == 1
    let started = DispatchTime.now().uptimeNanoseconds
    var finishedCount = 0
    var current: [String: String] = [:]
    let lock = NSLock()

    init(total: Int, log: @escaping @Sendable (String) -> Void) { self.total = total; self.log = log }

    /// Shows which runs are in flight (on a terminal).
    func started(_ run: RunSpec, problem: String) {
        lock.lock()
        defer { lock.unlock() }
        let lr = (try? run.optimizer.resolvedValues()["lr"]).map { " lr=\(CSV.number($0))" } ?? ""
        current[run.id] = "\(problem) \(run.optimizer.kind.rawValue)\(lr)"
        if interactive { redraw() }
    }

    /// The live line: bar, count, ETA and the runs in flight.
    private func redraw() {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let eta = finishedCount == 0 ? Double.nan : elapsed / Double(finishedCount) * Double(total - finishedCount)
        let width = 30, filled = total == 0 ? width : width * finishedCount / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let running = current.values.sorted().joined(separator: "; ")
        print("\r[\(bar)] \(finishedCount)/\(total)  ETA \(Self.clock(eta))" + (running.isEmpty ? "" : "  running: \(running)") + "\u{1B}[K", terminator: "")
        fflush(nil)
    }

    func finished(_ outcome: RunOutcome) {
        lock.lock()
        defer { lock.unlock() }
        finishedCount += 1
        current[outcome.run.id] = nil
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let eta = elapsed / Double(finishedCount) * Double(total - finishedCount)
        let f = outcome.fields
        if interactive {
            redraw()
        } else {
            log("[\(finishedCount)/\(total)] \(f["run_id"] ?? "") \(f["problem"] ?? "") \(f["optimizer"] ?? "") lr=\(f["lr"] ?? "") \(f["status"] ?? "") in \(f["wall_seconds"].flatMap(Double.init).map { String(format: "%.2f s", $0) } ?? "?"), ETA \(Self.clock(eta))")
        }
    }

    func done() {
        if interactive && total > 0 { print("") }
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
