import Foundation
import Testing
import OptLab
import OptLabCommands

/// The results folder under concurrent writers, lost files, full disks and odd targets.
@Suite("Safety: results folders and output files", .serialized)
struct ResultsSafetyTests {
    static let surfaceSuite = """
        name: safe
        optimizers: [sgd, adam, {name: momentum, grid: {momentum: [0.5, 0.9]}}]
        grid: {lr: [0.01, 0.1]}
        problems:
          - surface: {surface: rosenbrock, steps: 200, targets: {loss: 0.5}}
          - surface: {surface: quadratic, steps: 100}
        """

    static func root() -> String {
        let path = TestData.scratchRoot + "/optlab-safety-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a second writer of a locked folder is refused, naming the holder")
    func lockInProcess() throws {
        let folder = Self.root() + "/locked"
        let first = try FolderLock(folder)
        let error = #expect(throws: InputError.self) { _ = try FolderLock(folder) }
        #expect(error?.message.contains("is being written by another optlab process (process id \(getpid()))") == true)
        let suite = try Suite.parse(Self.surfaceSuite.replacingOccurrences(of: "name: safe", with: "name: locked"), file: "s.yaml")
        #expect(throws: InputError.self) { try SuiteRunner(suite: suite, outputRoot: (folder as NSString).deletingLastPathComponent, log: { _ in }).run() }
        withExtendedLifetime(first) {}
        // Released: the run proceeds.
        _ = consume first
        let (ran, _) = try SuiteRunner(suite: suite, outputRoot: (folder as NSString).deletingLastPathComponent, log: { _ in }).run()
        #expect(ran == 16)
    }

    @Test("two optlab processes on one folder: the second exits 2; after kill -9 of the first, --resume proceeds")
    func concurrentProcesses() throws {
        let binary = try #require(TestData.optlabBinary, "the optlab executable must be built (swift build)")
        let root = Self.root()
        // Slow enough to be caught running: many long descents, one job.
        let text = """
            name: contended
            optimizers: [sgd, adam, rmsprop, adagrad]
            grid: {lr: {from: 1.0e-4, to: 1.0e-2, per_decade: 20}}
            problems:
              - surface: {surface: rosenbrock, steps: 200000}
            """
        let path = root + "/contended.yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        func start(_ extra: [String]) throws -> (Process, Pipe) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["run", path, "--out", root, "--jobs", "1", "--no-plots"] + extra
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            return (process, errors)
        }
        let (first, _) = try start([])
        let runs = root + "/contended/runs.csv"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? ResultsStore.readRows(runs))?.count ?? 0) < 2 { usleep(20_000) }
        for extra in [[], ["--resume"], ["--restart"]] {
            let (second, errors) = try start(extra)
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            second.waitUntilExit()
            #expect(second.terminationStatus == 2, "\(extra): \(message)")
            #expect(message.contains("is being written by another optlab process (process id \(first.processIdentifier))"), "\(message)")
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let done = try ResultsStore.readRows(runs).count - 1
        #expect(done >= 1)
        // The lock died with its holder.
        let suite = try Suite.load(path: path)
        let lock = try FolderLock(root + "/contended")
        _ = consume lock
        #expect(suite.expand().count == 164)
    }

    @Test("--resume reruns runs whose epoch or trajectory rows are missing; an empty runs.csv starts afresh")
    func resumeChecksRows() throws {
        let root = Self.root()
        let suite = try Suite.parse(Self.surfaceSuite, file: "s.yaml")
        try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run()
        let folder = root + "/safe"
        let complete = try ExecutionTests.untimed(folder + "/trajectories.csv")
        let completeRuns = try ExecutionTests.untimed(folder + "/runs.csv")
        #expect(completeRuns.count == 17)

        // A deleted trajectories.csv: every run is rerun, the rows come back the same.
        try FileManager.default.removeItem(atPath: folder + "/trajectories.csv")
        final class Log: @unchecked Sendable { var lines: [String] = []; let lock = NSLock() }
        let log = Log()
        let (ran, skipped) = try SuiteRunner(suite: suite, outputRoot: root, existing: .resume,
                                             log: { m in log.lock.lock(); log.lines.append(m); log.lock.unlock() }).run()
        #expect(ran == 16 && skipped == 0)
        #expect(log.lines.contains { $0.contains("16 run(s) had rows missing") })
        #expect(try ExecutionTests.untimed(folder + "/trajectories.csv") == complete)

        // A torn trajectories.csv (the last run's rows cut in the middle): that run alone is rerun.
        let text = try String(contentsOfFile: folder + "/trajectories.csv", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let torn = lines.dropLast(40).joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: folder + "/trajectories.csv", contents: Data(torn.utf8))
        let again = try SuiteRunner(suite: suite, outputRoot: root, existing: .resume, log: { _ in }).run()
        #expect(again.ran == 1 && again.skipped == 15)
        #expect(try ExecutionTests.untimed(folder + "/trajectories.csv") == complete)
        #expect(try ExecutionTests.untimed(folder + "/runs.csv") == completeRuns)

        // An empty runs.csv means nothing finished, not "the suite changed".
        FileManager.default.createFile(atPath: folder + "/runs.csv", contents: Data())
        let fresh = try SuiteRunner(suite: suite, outputRoot: root, existing: .resume, log: { _ in }).run()
        #expect(fresh.ran == 16)
        #expect(try ExecutionTests.untimed(folder + "/trajectories.csv") == complete)
    }

    @Test("the canonical reorder keeps a quoted line break inside its row")
    func sortQuotedFields() throws {
        let path = Self.root() + "/quoted.csv"
        let rows = [["run_id", "note"], ["b", "second"], ["a", "two\nlines, \"quoted\""], ["b", "again"]]
        try ResultsStore.writeAtomically(path, rows: rows)
        try ResultsStore.sortLines(path, by: ["a": 0, "b": 1])
        #expect(try ResultsStore.readRows(path) == [rows[0], rows[2], rows[1], rows[3]])
    }

    @Test("runs finishing out of order are written in the announced order; sort then leaves the files alone")
    func orderedAppends() throws {
        let root = Self.root()
        let store = ResultsStore(directory: root, runsHeader: ["run_id", "status"], epochsHeader: EpochRecord.csvHeader(layers: 0))
        try store.create()
        let runs = Array(try Suite.parse(Self.surfaceSuite, file: "s.yaml").expand().prefix(4))
        func outcome(_ run: RunSpec) -> RunOutcome {
            RunOutcome(run: run, fields: ["run_id": run.id, "status": "ok"], epochRows: [],
                       trajectoryRows: [[run.id, "0", "1", "2", "3"], [run.id, "1", "4", "5", "6"]])
        }
        try store.expect(runs.map(\.id))
        // Finishing order 2, 0, 3, 1: nothing of run 2 is written until runs 0 and 1 are.
        try store.append(outcome(runs[2]))
        #expect(try ResultsStore.readRows(root + "/runs.csv").count == 1)
        try store.append(outcome(runs[0]))
        try store.append(outcome(runs[3]))
        #expect(try ResultsStore.readRows(root + "/runs.csv").dropFirst().map { $0[0] } == [runs[0].id])
        try store.append(outcome(runs[1]))
        try store.flush()
        let expected = runs.map(\.id)
        #expect(try ResultsStore.readRows(root + "/runs.csv").dropFirst().map { $0[0] } == expected)
        let trajectory = try String(contentsOfFile: root + "/trajectories.csv", encoding: .utf8)
        try store.sort(by: Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0.index) }))
        #expect(try String(contentsOfFile: root + "/trajectories.csv", encoding: .utf8) == trajectory)
        #expect(try ResultsStore.readRows(root + "/trajectories.csv").dropFirst().map { $0[0] } == expected.flatMap { [$0, $0] })

        // Without an announced order, rows go out as runs finish and the sort orders them.
        let other = ResultsStore(directory: root + "/b", runsHeader: ["run_id", "status"], epochsHeader: EpochRecord.csvHeader(layers: 0))
        try other.create()
        for i in [3, 1, 0, 2] { try other.append(outcome(runs[i])) }
        #expect(try ResultsStore.readRows(root + "/b/runs.csv").dropFirst().map { $0[0] } == [3, 1, 0, 2].map { runs[$0].id })
        try other.sort(by: Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0.index) }))
        #expect(try ResultsStore.readRows(root + "/b/runs.csv").dropFirst().map { $0[0] } == expected)
        #expect(try ResultsStore.readRows(root + "/b/trajectories.csv").dropFirst().map { $0[0] } == expected.flatMap { [$0, $0] })
    }

    @Test("a failed write (full disk) is a RuntimeFailure naming the file, and stops the suite")
    func fullDisk() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let root = Self.root()
        let store = ResultsStore(directory: root, runsHeader: ["run_id", "status"], epochsHeader: EpochRecord.csvHeader(layers: 0))
        try store.create()
        try FileManager.default.removeItem(atPath: root + "/trajectories.csv")
        try FileManager.default.createSymbolicLink(atPath: root + "/trajectories.csv", withDestinationPath: "/dev/full")
        let suite = try Suite.parse(Self.surfaceSuite, file: "s.yaml")
        let outcome = RunOutcome(run: suite.expand()[0], fields: ["run_id": "r1", "status": "ok"], epochRows: [],
                                 trajectoryRows: [["r1", "0", "1", "2", "3"]])
        let error = #expect(throws: RuntimeFailure.self) { try store.append(outcome) }
        #expect(error?.message.contains("cannot write \(root)/trajectories.csv: No space left on device") == true)
        // The run's runs.csv row was not written: it does not count as complete.
        #expect(try store.completedRunIDs().isEmpty)
    }

    @Test("--csv writes through a symbolic link, refuses FIFOs and folders, and creates no folders")
    func csvTargets() throws {
        let root = Self.root()
        let target = root + "/real.csv", link = root + "/link.csv"
        FileManager.default.createFile(atPath: target, contents: Data("old".utf8))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let writer = try CSVFileWriter(path: link, header: ["step", "x"])
        try writer.write(["0", "1.5"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "step,x\n0,1.5\n")

        let fifo = root + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let refused = #expect(throws: InputError.self) { _ = try CSVFileWriter(path: fifo, header: ["a"]) }
        #expect(refused?.message.contains("FIFO") == true)
        #expect(throws: InputError.self) { _ = try CSVFileWriter(path: root, header: ["a"]) }
        let missing = #expect(throws: InputError.self) { _ = try CSVFileWriter(path: root + "/no/such/x.csv", header: ["a"]) }
        #expect(missing?.message.contains("does not exist") == true)
        #expect(!FileManager.default.fileExists(atPath: root + "/no"))
        // Through the command: exit 2.
        let (code, message) = OptLabCommand.execute(["descend", "--surface", "quadratic", "--optimizer", "sgd", "--steps", "3", "--csv", fifo])
        #expect(code == 2 && message?.hasPrefix("optlab: error: ") == true)
    }

    @Test("a results folder that cannot be created: exit 1 with the path and the reason, not an error domain")
    func unwritableOutput() throws {
        let root = Self.root()
        let suite = root + "/s.yaml"
        FileManager.default.createFile(atPath: suite, contents: Data("name: s\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: 3}\n".utf8))
        FileManager.default.createFile(atPath: root + "/file", contents: Data())
        let (code, message) = OptLabCommand.execute(["run", suite, "--out", root + "/file/results", "--no-plots"])
        #expect(code == 1)
        #expect(message == "optlab: error: \(root)/file/results: Not a directory", "\(message ?? "")")
    }

    @Test("a suite whose names are code or paths is refused by run before anything is written")
    func injectionLeavesNothing() throws {
        let root = Self.root()
        let suite = root + "/inject.yaml"
        FileManager.default.createFile(atPath: suite, contents: Data("""
            name: inject
            optimizers: [sgd]
            problems:
              - surface: {name: 'q" ; system "id > pwned2.txt" ; x="', surface: quadratic, steps: 5}
              - surface: {name: "../../../../elsewhere/x", surface: booth, steps: 5}
            """.utf8))
        let (code, message) = OptLabCommand.execute(["run", suite, "--out", root + "/results", "--plots", root + "/plots"])
        #expect(code == 2)
        #expect(message?.components(separatedBy: "\n").count == 2, "\(message ?? "")")
        // Nothing was written: no results, no plots, no file from the injected command.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["inject.yaml"])
        #expect(!FileManager.default.fileExists(atPath: "pwned2.txt"))
        let dotted = root + "/dots.yaml"
        for name in ["'..'", "'.'"] {
            FileManager.default.createFile(atPath: dotted, contents: Data("name: \(name)\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: 3}\n".utf8))
            #expect(OptLabCommand.execute(["run", dotted, "--out", root + "/results"]).code == 2)
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/results"))
    }
}
