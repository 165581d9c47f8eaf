import Foundation
import Testing
import OptLab

@Suite("Experiments: execution, resume and shards", .serialized)
struct ExecutionTests {
    static func suiteText(name: String, epochs: Int = 2) -> String {
        """
        name: \(name)
        seed: 3
        repeats: 2
        optimizers: [sgd, adam, {name: momentum, grid: {momentum: [0.5, 0.9]}}]
        grid: {lr: [0.01, 0.1]}
        problems:
          - network: {dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 600, test_limit: 200,
                      validation: 100, layers: [16], epochs: \(epochs), batch_size: 50, targets: {val_acc: 0.5, train_loss: 1.0}}
          - surface: {surface: quadratic, steps: 300, targets: {loss: 1}}
        """
    }

    static func temporaryRoot() -> String {
        let path = TestData.scratchRoot + "/optlab-exec-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ text: String, in root: String) -> String {
        let path = root + "/suite.yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// The CSV rows without their timing columns (`wall_seconds`, `seconds`).
    static func untimed(_ path: String) throws -> [[String]] {
        let rows = try ResultsStore.readRows(path)
        let drop = Set(rows[0].enumerated().filter { $0.element == "wall_seconds" || $0.element == "seconds" }.map(\.offset))
        return rows.map { row in row.enumerated().filter { !drop.contains($0.offset) }.map(\.element) }
    }

    static func results(_ directory: String) throws -> [[[String]]] {
        try ["runs.csv", "epochs.csv", "trajectories.csv"].map { try untimed(directory + "/" + $0) }
    }

    @Test("threads chosen as the suite goes give the numbers of one thread per run")
    func automaticThreads() throws {
        // Products large enough to be split (the 256×64 layer's halves are just above the
        // small-product limit), dropout and L2 as well.
        let text = """
            name: threads
            seed: 5
            repeats: 1
            optimizers: [adam, {name: momentum, grid: {lr: [0.05]}}]
            problems:
              - network: {dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 600, test_limit: 200,
                          validation: 100, layers: [256, 64], dropout: 0.1, l2: 1.0e-4, epochs: 3, batch_size: 128}
            """
        let root = Self.temporaryRoot()
        let suite = try Suite.parse(text, file: Self.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root + "/one", jobs: 1, log: { _ in }).run()
        // Four processors for two runs: once both have started, each gets two threads.
        let lines = LogLines()
        var automatic = SuiteRunner(suite: suite, outputRoot: root + "/auto", jobs: 4, log: { lines.append($0) })
        automatic.threads = nil
        try automatic.run()
        #expect(lines.all.contains { $0.contains("had more than one thread") }, "\(lines.all)")
        var fixed = SuiteRunner(suite: suite, outputRoot: root + "/three", jobs: 2, log: { _ in })
        fixed.threads = 3
        try fixed.run()
        let one = try Self.results(root + "/one/threads")
        #expect(one[1].count == 1 + 2 * 3)
        #expect(try Self.results(root + "/auto/threads") == one)
        #expect(try Self.results(root + "/three/threads") == one)
    }

    @Test("the same runs give the same numbers with one job or two, and in shards merged")
    func jobsAndShards() throws {
        let root = Self.temporaryRoot()
        let suite = try Suite.parse(Self.suiteText(name: "exec"), file: Self.write(Self.suiteText(name: "exec"), in: root))
        #expect(suite.expand().count == 24)   // 16 network runs + 8 deterministic surface runs
        try SuiteRunner(suite: suite, outputRoot: root + "/one", jobs: 1, log: { _ in }).run()
        try SuiteRunner(suite: suite, outputRoot: root + "/two", jobs: 2, log: { _ in }).run()
        let one = try Self.results(root + "/one/exec")
        #expect(one[0].count == 25)               // header + 24 runs
        #expect(one[1].count == 1 + 16 * 2)       // 16 network runs × 2 epochs
        #expect(one[2].count == 1 + 8 * 301)      // 8 surface runs × (start + 300 steps)
        #expect(try Self.results(root + "/two/exec") == one)
        for i in 0..<3 {
            try SuiteRunner(suite: suite, outputRoot: root + "/sharded", jobs: 2, shard: Shard(index: i, count: 3), log: { _ in }).run()
            let report = try ShardMerger.merge(suiteDirectory: root + "/sharded/exec")
            #expect(report.complete == (i == 2))
            #expect(report.missing.count == 2 - i)
        }
        #expect(try Self.results(root + "/sharded/exec") == one)
        // The merged folder gets its summary.csv, equal to the unsharded one's (no timing in it).
        try SummaryTable.write(resultsDirectory: root + "/one/exec",
                               targets: Dictionary(uniqueKeysWithValues: suite.problems.map { ($0.name, $0.targets.map(\.column)) }))
        #expect(try ResultsStore.readRows(root + "/sharded/exec/summary.csv") == ResultsStore.readRows(root + "/one/exec/summary.csv"))
        // A run's id and numbers match the unsharded run's, row for row.
        let runs = try ResultsStore.readRows(root + "/one/exec/runs.csv")
        let header = runs[0]
        let status = header.firstIndex(of: "status")!
        #expect(runs.dropFirst().allSatisfy { $0[status] == "ok" })
    }

    @Test("existing results are refused without --resume or --restart")
    func refuseExisting() throws {
        let root = Self.temporaryRoot()
        let text = Self.suiteText(name: "refuse").replacingOccurrences(of: "repeats: 2", with: "repeats: 1")
        let suite = try Suite.parse(text, file: Self.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let error = #expect(throws: InputError.self) { try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run() }
        #expect(error?.message.contains("--resume") == true)
        let (ran, skipped) = try SuiteRunner(suite: suite, outputRoot: root, existing: .resume, log: { _ in }).run()
        #expect(ran == 0 && skipped == 16)
    }

    @Test("sorting moves whole lines by run, keeps each run's lines in order, and drops a cut final line")
    func sortLines() throws {
        let path = Self.temporaryRoot() + "/t.csv"
        let text = "run_id,step,x\nb,0,\"q,1\"\nb,1,2\na,0,3\nc,0,4\nb,2,5\na,1,6\nb,3,cut"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        try ResultsStore.sortLines(path, by: ["a": 0, "b": 1])
        // Unknown ids (c) go last; b's two separate blocks keep their order.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "run_id,step,x\na,0,3\na,1,6\nb,0,\"q,1\"\nb,1,2\nb,2,5\nc,0,4\n")
    }

    @Test("sorting a file of several megabytes: rows cross the read chunks, quoted ids and line breaks survive, order as in memory")
    func sortLargeFile() throws {
        let path = Self.temporaryRoot() + "/large.csv"
        // 200,000 rows of runs interleaved as parallel jobs write them: blocks of 1–7 rows.
        var generator = SplitMix64(seed: 9)
        var rows: [(id: String, line: String)] = []
        var step: [String: Int] = [:]
        while rows.count < 200_000 {
            let id = generator.next() % 50 == 0 ? "\"r,\(generator.next() % 7)\"" : "r\(generator.next() % 400)"
            for _ in 0..<(1 + Int(generator.next() % 7)) {
                let k = step[id, default: 0]
                step[id] = k + 1
                let note = k % 97 == 0 ? "\"two\nlines\"" : "\(Double(k) * 0.001)"
                rows.append((id, "\(id),\(k),\(note)\n"))
            }
        }
        let text = "run_id,step,value\n" + rows.map(\.line).joined()
        #expect(text.utf8.count > 2 << 20)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let ids = Array(Set(rows.map(\.id))).sorted()
        let order = Dictionary(uniqueKeysWithValues: ids.enumerated().dropLast(3).map { ($1, $0) })   // three ids unknown: last
        try ResultsStore.sortLines(path, by: order)
        // The reference: a stable sort of the lines by rank in memory.
        let expected = "run_id,step,value\n" + rows.enumerated().sorted { a, b in
            let (x, y) = (order[a.element.id] ?? Int.max, order[b.element.id] ?? Int.max)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element.line).joined()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
    }

    @Test("results written before the gradient columns existed resume with them empty; a foreign header is refused")
    func olderEpochsHeader() throws {
        let root = Self.temporaryRoot()
        let text = Self.suiteText(name: "older").replacingOccurrences(of: "repeats: 2", with: "repeats: 1")
        let suite = try Suite.parse(text, file: Self.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let path = root + "/older/epochs.csv"
        let current = try ResultsStore.readRows(path)
        // One hidden layer of 16 and the output: two numeric gradient columns.
        #expect(Array(current[0].suffix(2)) == ["grad_rms_1", "grad_rms_2"])
        #expect(current.dropFirst().allSatisfy { row in row.suffix(2).allSatisfy { (Double($0) ?? 0) > 0 } })
        // The layout of earlier versions: no gradient columns.
        try ResultsStore.writeAtomically(path, rows: current.map { Array($0.dropLast(2)) })
        let (ran, skipped) = try SuiteRunner(suite: suite, outputRoot: root, existing: .resume, log: { _ in }).run()
        #expect(ran == 0 && skipped == 16)
        let resumed = try ResultsStore.readRows(path)
        #expect(resumed.count == current.count && resumed[0] == current[0])
        #expect(resumed.dropFirst().allSatisfy { $0.count == current[0].count && $0.suffix(2).allSatisfy(\.isEmpty) })
        #expect(resumed.dropFirst().map { Array($0.dropLast(2)) } == current.dropFirst().map { Array($0.dropLast(2)) })

        try ResultsStore.writeAtomically(path, rows: [["run_id", "epoch", "loss"]])
        let error = #expect(throws: InputError.self) { try SuiteRunner(suite: suite, outputRoot: root, existing: .resume, log: { _ in }).run() }
        #expect(error?.message.contains("is not this version's") == true)
    }

    @Test("kill -9 mid-run: every CSV parses, --resume runs only the missing runs, a changed suite is refused")
    func killAndResume() throws {
        let binary = try #require(TestData.optlabBinary, "the optlab executable must be built (swift build)")
        let root = Self.temporaryRoot()
        let text = Self.suiteText(name: "killed", epochs: 6)
        let suitePath = Self.write(text, in: root)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", suitePath, "--out", root, "--jobs", "2"]
        // The same OpenBLAS kernels as this test process, so the numbers can be compared.
        process.environment = ProcessInfo.processInfo.environment.merging(["OPTLAB_KEEP_BLAS_CORE": "1"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let runsPath = root + "/killed/runs.csv"
        // Wait until a few runs are complete, then kill without warning.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let rows = try? ResultsStore.readRows(runsPath), rows.count >= 4 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let header = try ResultsStore.readRows(runsPath)[0]
        for name in ["runs.csv", "epochs.csv", "trajectories.csv"] {
            let text = try String(contentsOfFile: root + "/killed/" + name, encoding: .utf8)
            let rows = CSV.parse(text)
            let width = rows[0].count
            // Every complete line has the header's width; at most the last is cut short.
            let complete = text.hasSuffix("\n") ? rows : Array(rows.dropLast())
            #expect(complete.allSatisfy { $0.count == width }, "\(name) has a malformed row")
        }
        let before = try ResultsStore.readRows(runsPath).dropFirst()
        #expect(before.count >= 3 && before.count < 24, "killed after \(before.count) runs")

        // The suite file changed: resuming is refused.
        FileManager.default.createFile(atPath: suitePath, contents: Data(text.replacingOccurrences(of: "steps: 300", with: "steps: 301").utf8))
        let changed = try Suite.load(path: suitePath)
        let error = #expect(throws: InputError.self) {
            try SuiteRunner(suite: changed, outputRoot: root, existing: .resume, log: { _ in }).run()
        }
        #expect(error?.message.contains("suite file changed") == true)

        FileManager.default.createFile(atPath: suitePath, contents: Data(text.utf8))
        let suite = try Suite.load(path: suitePath)
        let (ran, skipped) = try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, existing: .resume, log: { _ in }).run()
        #expect(skipped == before.count)
        #expect(ran == 24 - before.count)
        let after = try ResultsStore.readRows(runsPath)
        #expect(after[0] == header)
        #expect(after.count == 25)
        #expect(Set(after.dropFirst().map { $0[0] }).count == 24)
        // Rows completed before the kill are untouched (their wall times included).
        for row in before { #expect(after.contains(row)) }
        // Epoch rows: exactly one set per network run.
        let epochs = try ResultsStore.readRows(root + "/killed/epochs.csv")
        #expect(epochs.count == 1 + 16 * 6)
        // And the numbers equal an uninterrupted run's.
        try SuiteRunner(suite: suite, outputRoot: root + "/clean", jobs: 2, log: { _ in }).run()
        #expect(try Self.results(root + "/killed") == Self.results(root + "/clean/killed"))
    }
}

/// Log lines collected from the runner's workers.
final class LogLines: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
