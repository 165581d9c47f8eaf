import Foundation
import Testing
import OptLab

@Suite("Surfaces: which trajectory steps are recorded", .serialized)
struct RecordPolicyTests {
    static func steps(_ n: Int) -> [Descent.Step] { (0...n).map { Descent.Step(step: $0, point: Point(Double($0), 0), loss: 1) } }

    @Test("auto keeps every step up to 1,000, then every ⌈n/1000⌉-th; the last and the target steps always")
    func auto() {
        #expect(RecordPolicy.auto.filter(Self.steps(300), always: []).count == 301)
        let kept = RecordPolicy.auto.filter(Self.steps(5003), always: [17]).map(\.step)
        // ⌈5003/1000⌉ = 6: 0, 6, …, 4998 (834 steps), plus 17 and the last, 5003.
        #expect(kept.count == 834 + 2)
        #expect(kept.first == 0 && kept.last == 5003 && kept.contains(17) && kept.contains(4998) && !kept.contains(5))
    }

    @Test("every k, final and log")
    func others() {
        #expect(RecordPolicy.everyK(10).filter(Self.steps(95), always: []).map(\.step) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95])
        #expect(RecordPolicy.final.filter(Self.steps(5000), always: [42]).map(\.step) == [0, 42, 5000])
        let log = RecordPolicy.log.filter(Self.steps(100_000), always: []).map(\.step)
        // round(100000^(i/1000)), i = 0…1000: every step up to about 87 (where rounding merges the early i), then spacing grows by 10^(5/1000) per row: about 700 rows.
        #expect(log.count <= 1001 && log.count > 650)
        #expect(Array(log.prefix(50)) == Array(0..<50))
        #expect(log.last == 100_000)
        #expect(RecordPolicy.every.filter(Self.steps(2000), always: []).count == 2001)
    }

    @Test("a suite's record option thins trajectories.csv but not the run's metrics or targets")
    func inSuite() throws {
        let root = ExecutionTests.temporaryRoot()
        func run(_ record: String) throws -> ([[String]], Int) {
            let text = """
                name: rec-\(record.filter { $0.isLetter || $0.isNumber })
                optimizers: [{name: momentum, set: {lr: 0.001}}]
                problems:
                  - surface: {surface: rosenbrock, steps: 3000, record: \(record), targets: {loss: 1.0}}
                """
            let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
            try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, log: { _ in }).run()
            // A finished folder resumes with nothing to run, however few rows were recorded.
            #expect(try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, existing: .resume, log: { _ in }).run().ran == 0)
            let folder = root + "/" + suite.name
            let runs = try ExecutionTests.untimed(folder + "/runs.csv").map { Array($0.dropFirst()) }   // without run_id
            return (runs, try ResultsStore.readRows(folder + "/trajectories.csv").count - 1)
        }
        let (every, all) = try run("every")
        let (auto, thinned) = try run("auto")
        let (final, few) = try run("final")
        #expect(all == 3001 && thinned == 1000 + 1 + 1 && few <= 3)   // 0, 3, …, 2997 + 3000 + the target's step
        #expect(every == auto && auto == final)
        let message = (try? Suite.parse("name: r\noptimizers: [sgd]\nproblems:\n  - surface: {surface: beale, steps: 5, record: sometimes}\n", file: "r.yaml")).map { _ in "" }
        #expect(message == nil)
    }
}

@Suite("Results: gzipped trajectories", .serialized)
struct GzipResultsTests {
    @Test("--gzip leaves trajectories.csv.gz with the same rows; plot reads it; --resume unpacks, runs nothing and packs again")
    func gzip() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = """
            name: packed
            optimizers: [sgd, adam]
            grid: {lr: [0.001, 0.01]}
            problems:
              - surface: {surface: beale, steps: 400}
            """
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root + "/plain", jobs: 2, log: { _ in }).run()
        var packed = SuiteRunner(suite: suite, outputRoot: root + "/gz", jobs: 2, log: { _ in })
        packed.gzip = true
        try packed.run()
        let folder = root + "/gz/packed"
        #expect(!FileManager.default.fileExists(atPath: folder + "/trajectories.csv"))
        // The standard gzip format: zcat gives back the plain run's file byte for byte.
        let zcat = Process()
        zcat.executableURL = URL(fileURLWithPath: "/bin/sh")
        zcat.arguments = ["-c", "zcat '\(folder)/trajectories.csv.gz' | cmp - '\(root)/plain/packed/trajectories.csv'"]
        try zcat.run()
        zcat.waitUntilExit()
        #expect(zcat.terminationStatus == 0)
        let figures = try SuitePlotter(resultsDirectory: folder, plotsDirectory: root + "/plots").write().map(\.name)
        #expect(figures.contains("beale-trajectories"))
        let data = try String(contentsOfFile: root + "/plots/beale-paths.dat", encoding: .utf8)
        #expect(data.split(separator: "\n").count > 400)
        var again = SuiteRunner(suite: suite, outputRoot: root + "/gz", jobs: 2, existing: .resume, log: { _ in })
        again.gzip = true
        #expect(try again.run().ran == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/trajectories.csv.gz"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/trajectories.csv"))
    }
}
