import Foundation
import Testing
import Yams
import OptLab
import OptLabCommands

/// Rankings and verdicts from hand-built runs.csv rows: every branch of the rules in
/// ``SuiteSummary``, with the expected values worked out in the comments.
@Suite("Experiments: rankings, verdicts and summary.csv")
struct RankingTests {
    static let networkHeader = RunsTable.header(sweptKeys: ["lr"], targetColumns: [])
    static let surfaceHeader = RunsTable.header(sweptKeys: ["lr"], targetColumns: ["to_distance_0.01"])

    /// A runs.csv row from named fields (others empty).
    static func row(_ header: [String], _ fields: [String: String]) -> [String] {
        header.map { fields[$0] ?? "" }
    }

    static func network(_ optimizer: String, lr: String, seed: Int, valAcc: Double?, testAcc: Double? = nil, status: String = "ok") -> [String] {
        row(networkHeader, ["run_id": "\(optimizer)-\(lr)-\(seed)", "problem": "net", "type": "network", "optimizer": optimizer,
                            "convention": "keras", "lr": lr, "repeat": "\(seed)", "seed": "\(seed)", "status": status,
                            "final_val_acc": valAcc.map(CSV.number) ?? "", "final_test_acc": testAcc.map(CSV.number) ?? ""])
    }

    static func surface(_ optimizer: String, lr: String, loss: Double?, reached: Int? = nil, status: String = "ok") -> [String] {
        row(surfaceHeader, ["run_id": "\(optimizer)-\(lr)", "problem": "valley", "type": "surface", "optimizer": optimizer,
                            "convention": "keras", "lr": lr, "repeat": "0", "seed": "1", "status": status,
                            "final_loss": loss.map(CSV.number) ?? "", "to_distance_0.01": reached.map(String.init) ?? ""])
    }

    static func ranking(_ rows: [[String]]) throws -> SuiteSummary.ProblemRanking {
        try #require(SuiteSummary.rank(rows).first)
    }

    @Test("an optimizer diverged at every setting is listed last, unranked, with no metric or setting")
    func allDiverged() throws {
        let r = try Self.ranking([Self.surfaceHeader,
                                  Self.surface("nesterov", lr: "0.1", loss: 2.00216e39, status: "diverged"),
                                  Self.surface("nesterov", lr: "0.01", loss: 5e20, status: "diverged"),
                                  Self.surface("sgd", lr: "0.1", loss: 3.0),
                                  Self.surface("adam", lr: "0.1", loss: nil, status: "failed")])
        #expect(r.entries.map(\.optimizer) == ["sgd", "nesterov", "adam"])
        #expect(r.entries.map(\.rank) == [1, nil, nil])
        #expect(r.entries[1].verdict == .diverged && r.entries[1].note == "diverged at every setting (2/2)")
        #expect(r.entries[1].setting.isEmpty && r.entries[1].mean.isNaN && r.entries[1].diverged == 2)
        #expect(r.entries[2].verdict == .failed && r.entries[2].note == "failed at every setting (1/1)")
        #expect(r.entries[0].verdict == .best)
    }

    @Test("surfaces: reaching the target ranks first, by steps; then the final loss")
    func targetFirst() throws {
        // adam reaches the target at step 109 but ends higher; rmsprop never reaches it.
        let r = try Self.ranking([Self.surfaceHeader,
                                  Self.surface("rmsprop", lr: "0.1", loss: 1.48631e-299),
                                  Self.surface("adam", lr: "0.1", loss: 1e-6, reached: 109),
                                  Self.surface("sgd", lr: "0.1", loss: 1e-5, reached: 815),
                                  Self.surface("sgd", lr: "0.01", loss: 1e-8, reached: 2000)])
        #expect(r.entries.map(\.optimizer) == ["adam", "sgd", "rmsprop"])
        #expect(r.deterministic)
        // sgd's best setting is the faster one, though its final loss is higher.
        #expect(r.entries[1].setting == "lr=0.1")
        #expect(r.entries.map(\.verdict) == [.best, .worse, .worse])
    }

    @Test("surfaces: final losses within the tolerance are equal, and share a rank")
    func tolerance() throws {
        let r = try Self.ranking([Self.surfaceHeader,
                                  Self.surface("nadam", lr: "0.1", loss: 1.1e-26),
                                  Self.surface("adam", lr: "0.1", loss: 1.7e-27),
                                  Self.surface("sgd", lr: "0.1", loss: 2e-3)])
        // 1.1e-26 − 1.7e-27 is far below 1e-9: a tie, kept in file order.
        #expect(r.entries.map(\.optimizer) == ["nadam", "adam", "sgd"])
        #expect(r.entries.map(\.rank) == [1, 1, 3])
        #expect(r.entries.map(\.verdict) == [.best, .tied, .worse])
    }

    static func seeds(_ optimizer: String, _ values: [Double], lr: String = "0.01") -> [[String]] {
        values.enumerated().map { network(optimizer, lr: lr, seed: $0.offset, valAcc: $0.element) }
    }

    @Test("networks: a paired Wilcoxon test with Holm's adjustment gives worse or tied")
    func pairedVerdicts() throws {
        // Multiples of 1/128, so that every difference is exact.
        let base = (0..<8).map { 0.75 + Double($0) / 64 }
        // sgd is worse on every one of 8 seeds: exact p = 2/2⁸ = 0.0078. rmsprop differs both
        // ways (ranks 1.5 1.5 3.5 3.5 5.5 5.5 7 8, W⁺ = 1.5 + 3.5 + 5.5 + 8 = 18.5 of 36): no evidence.
        let worse = base.map { $0 - 1.0 / 64 }
        let mixed = zip(base, [1, -1, 2, -2, 3, -3, 4, -3.5].map { $0 / 128 }).map { $0 - $1 }
        let r = try Self.ranking([Self.networkHeader] + Self.seeds("adam", base) + Self.seeds("sgd", worse) + Self.seeds("rmsprop", mixed))
        #expect(r.entries.map(\.optimizer) == ["adam", "rmsprop", "sgd"])
        #expect(r.entries.map(\.verdict) == [.best, .tied, .worse])
        // Holm over two tests: the smaller p doubled, 2·2/256 = 0.015625; the other stays 1.
        #expect(abs((r.entries[2].pValue ?? 0) - 0.015625) < 1e-12)
        #expect((r.entries[1].pValue ?? 0) > 0.5)

        // With 6 seeds, "worse everywhere" has p = 2/64 = 0.03125 alone, but Holm doubles it
        // to 0.0625 beside a second test: not distinguishable at 95%.
        let six = Array(base.prefix(6))
        let adjusted = try Self.ranking([Self.networkHeader] + Self.seeds("adam", six) + Self.seeds("sgd", six.map { $0 - 0.02 })
                                        + Self.seeds("rmsprop", Array(mixed.prefix(6))))
        let sgd = try #require(adjusted.entries.first { $0.optimizer == "sgd" })
        #expect(sgd.verdict == .tied && abs((sgd.pValue ?? 0) - 0.0625) < 1e-12)
    }

    @Test("fewer than 3 seeds: no interval; fewer than 6: no test (it could not reach 5%); the table says so")
    func tooFewSeeds() throws {
        let r = try Self.ranking([Self.networkHeader] + Self.seeds("adam", [0.9, 0.91]) + Self.seeds("sgd", [0.8, 0.82]))
        #expect(r.entries[1].verdict == nil && r.entries[1].note == "no test: 2 paired seeds (6 needed for a test at 5%)")
        #expect(r.entries.allSatisfy { $0.interval == nil })
        #expect(SuiteSummary.text([r]).contains("no test"))
        // Five seeds, SGD lower on every one: the smallest exact p is 2/2⁵ = 0.0625, so no verdict, but intervals.
        let five = try Self.ranking([Self.networkHeader] + Self.seeds("adam", [0.9, 0.91, 0.92, 0.93, 0.94])
                                    + Self.seeds("sgd", [0.8, 0.81, 0.82, 0.83, 0.84]))
        #expect(five.entries[1].verdict == nil && five.entries[1].note == "no test: 5 paired seeds (6 needed for a test at 5%)")
        #expect(five.entries.allSatisfy { $0.interval != nil })
        #expect(five.entries[0].note == "5 seeds: too few for a test")
    }

    @Test("networks rank by validation accuracy, never by test accuracy; clean settings before partly diverged ones")
    func validationNotTest() throws {
        let rows = [Self.networkHeader,
                    Self.network("adam", lr: "0.01", seed: 0, valAcc: 0.95, testAcc: 0.80),
                    Self.network("sgd", lr: "0.01", seed: 0, valAcc: 0.90, testAcc: 0.99),
                    // sgd at lr 1: one seed diverged, the other scored higher; not chosen.
                    Self.network("sgd", lr: "1.0", seed: 0, valAcc: 0.97),
                    Self.network("sgd", lr: "1.0", seed: 1, valAcc: nil, status: "diverged")]
        let r = try Self.ranking(rows)
        #expect(r.metric == "final_val_acc")
        #expect(r.entries.map(\.optimizer) == ["adam", "sgd"])
        #expect(r.entries[1].setting == "lr=0.01" && r.entries[1].diverged == 1 && r.entries[1].runCount == 3)
    }

    @Test("the bootstrap interval is reproducible and summary.csv has the documented columns")
    func summaryCSV() throws {
        let rows = [Self.networkHeader] + Self.seeds("adam", [0.90, 0.92, 0.91, 0.93]) + Self.seeds("sgd", [0.85, 0.86, 0.84, 0.88])
        let first = SummaryTable.rows(SuiteSummary.rank(rows)), second = SummaryTable.rows(SuiteSummary.rank(rows))
        #expect(first == second)
        #expect(first[0] == ["problem", "rank", "optimizer", "convention", "settings", "metric", "mean", "std", "median",
                             "ci_low", "ci_high", "n", "n_diverged", "n_runs", "verdict", "p_value", "note"])
        let adam = first[1]
        #expect(Array(adam[0...5]) == ["net", "1", "adam", "keras", "lr=0.01", "final_val_acc"])
        #expect(Double(adam[6])! == 0.915 && Double(adam[8])! == 0.915)
        let (low, high) = (Double(adam[9])!, Double(adam[10])!)
        #expect(low >= 0.90 && low < 0.915 && high > 0.915 && high <= 0.93)
        #expect(adam[14] == "best")
    }

    @Test("tuning curves in the report: expected best of k random settings, diverged settings as 0")
    func tuningCurves() throws {
        // adam: settings 0.9 and 0.8 → k = 1: 0.85, k = 2: 0.9. sgd: 0.7, diverged (0), 0.8 →
        // k = 1: 0.5; k = 2: pairs {0.7, 0} {0.7, 0.8} {0, 0.8} → (0.7 + 0.8 + 0.8)/3 = 0.7667; k = 3: 0.8.
        let rows = [Self.networkHeader, Self.network("adam", lr: "0.01", seed: 0, valAcc: 0.9), Self.network("adam", lr: "0.1", seed: 0, valAcc: 0.8),
                    Self.network("sgd", lr: "0.01", seed: 0, valAcc: 0.7), Self.network("sgd", lr: "0.1", seed: 0, valAcc: nil, status: "diverged"),
                    Self.network("sgd", lr: "1.0", seed: 0, valAcc: 0.8)]
        let table = try RunsTable(rows: rows)
        let text = ReportWriter.tuningCurves(table, ranking: try Self.ranking(rows))
        #expect(text.contains("| optimizer | settings | k = 1 | k = 2 | k = 3 |"), "\(text)")
        #expect(text.contains("| adam (keras) | 2 | 0.85 | 0.9 | — |"), "\(text)")
        #expect(text.contains("| sgd (keras) | 3 | 0.5 | 0.7667 | 0.8 |"), "\(text)")
    }

    @Test("the saddle and Rosenbrock run from a suite: no diverged optimizer is ranked")
    func suiteRun() throws {
        let root = TestData.scratchRoot + "/optlab-rank-\(UUID().uuidString)"
        let text = """
            name: ranked
            repeats: 3
            optimizers: [sgd, momentum, nesterov, adam]
            grid: {lr: [0.1, 0.5]}
            problems:
              - surface: {surface: saddle, steps: 300}
              - surface: {surface: rosenbrock, steps: 500, targets: {distance: 0.01}}
            """
        let suite = try Suite.parse(text, file: "ranked.yaml")
        // Deterministic surfaces run once per setting whatever repeats says: 2 × 4 × 2.
        #expect(suite.expand().count == 16)
        try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run()
        let table = try RunsTable.read(root + "/ranked/runs.csv")
        let rankings = try SummaryTable.write(resultsDirectory: root + "/ranked")
        for ranking in rankings {
            for entry in ranking.entries where entry.rank != nil {
                let runs = table.records.filter { entry.runIDs.contains($0.runID) }
                #expect(runs.allSatisfy { $0.status == .ok }, "\(ranking.problem): \(entry.optimizer) ranked with a diverged run")
            }
            // Every optimizer that diverged everywhere is unranked, with its verdict.
            for optimizer in Set(table.records.filter { $0.problem == ranking.problem }.map(\.optimizer)) {
                let mine = table.records.filter { $0.problem == ranking.problem && $0.optimizer == optimizer }
                if mine.allSatisfy({ $0.status == .diverged }) {
                    #expect(ranking.entries.first { $0.optimizer == optimizer }?.verdict == .diverged)
                }
            }
        }
        // The saddle is unbounded below: gradient descent, with or without momentum, grows
        // |y| geometrically and leaves the bounds; Adam's steps are at most about lr, so it
        // stays inside them in 300 steps and is the only one ranked.
        let saddle = try #require(rankings.first { $0.problem == "saddle" })
        #expect(saddle.entries.map(\.optimizer) == ["adam", "sgd", "momentum", "nesterov"])
        #expect(saddle.entries.map(\.verdict) == [.best, .diverged, .diverged, .diverged])
        #expect(FileManager.default.fileExists(atPath: root + "/ranked/summary.csv"))
    }

    @Test("two entries of one optimizer differing in a fixed value are never pooled: the value is a setting column")
    func twoEntriesOfOneOptimizer() throws {
        let root = TestData.scratchRoot + "/optlab-rank-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        func text(_ optimizers: String) -> String {
            """
            name: twice
            seed: 3
            repeats: 3
            optimizers: \(optimizers)
            grid: {lr: [0.1]}
            problems:
              - surface: {surface: rosenbrock, steps: 200, noise: 0.1}
            """
        }
        let suite = try Suite.parse(text("[{name: adam, set: {beta_2: 0.9}}, adam, sgd]"), file: "twice.yaml")
        try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run()
        let table = try RunsTable.read(root + "/twice/runs.csv")
        #expect(table.settingColumns.contains("beta_2"))
        let adam = table.records.filter { $0.optimizer == "adam" }
        #expect(adam.filter { $0.settings["beta_2"] == "0.9" }.count == 3 && adam.filter { $0.settings["beta_2"] == "0.999" }.count == 3)
        // The entry with the default is recorded with it; SGD has no such value.
        #expect(table.records.filter { $0.optimizer == "sgd" }.allSatisfy { ($0.settings["beta_2"] ?? "").isEmpty })
        // Ranked as one optimizer searched over β₂: the better setting's three seeds, not six.
        let ranking = try #require(SuiteSummary.rank(table).first)
        let entry = try #require(ranking.entries.first { $0.optimizer == "adam" })
        #expect(entry.values.count == 3)
        func mean(_ beta: String) -> Double {
            let values = adam.filter { $0.settings["beta_2"] == beta }.compactMap { $0.metric("final_loss") }
            return values.reduce(0, +) / Double(values.count)
        }
        let better = mean("0.9") <= mean("0.999") ? "0.9" : "0.999"
        #expect(entry.setting.contains("beta_2=\(better)"))
        #expect(abs(entry.mean - mean(better)) < 1e-12)
        // Run ids are those of the entries alone: recording the value changes no run.
        let alone = try Suite.parse(text("[{name: adam, set: {beta_2: 0.9}}]"), file: "twice.yaml").expand().map(\.id)
        #expect(Set(alone).isSubset(of: Set(adam.map(\.runID))))
        // Under a protocol, the same optimizer twice is refused at its line.
        let tuned = """
            name: tuned
            optimizers: [adam, {name: adam, set: {beta_2: 0.9}}]
            grid: {lr: [0.1, 0.01]}
            protocol: {tune: {sampler: grid}, confirm: {seeds: 2}}
            problems:
              - surface: {surface: rosenbrock, steps: 200, noise: 0.1}
            """
        #expect(throws: InputError.self) { try Suite.parse(tuned, file: "tuned.yaml") }
        do { _ = try Suite.parse(tuned, file: "tuned.yaml") } catch {
            #expect("\(error)".contains("tuned.yaml:2:") && "\(error)".contains("adam (keras) is listed twice (first at line 2)"))
        }
    }

    @Test("the divergence rule: a surface's loss bound, and train --lr 1e6 ends diverged")
    func divergenceRule() throws {
        let surface = try Surface.named("quadratic")
        let result = Descent(surface: surface, optimizer: try OptimizerSpec(kind: .adam, overrides: ["lr": 1e6]).make(), steps: 5).run()
        #expect(result.status == .diverged)
        #expect(abs(result.final.point.x) <= Descent.divergenceBound && abs(result.final.loss) > Descent.lossBound)
        let (code, message) = OptLabCommand.execute(["train", "--dataset", "mnist", "--data-dir", TestData.mnistAsTrainingDirectory,
                                                     "--layers", "16", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "2",
                                                     "--batch-size", "100", "--validation", "1000"])
        #expect(code == 0)
        #expect(message == nil)
        let path = TestData.scratchRoot + "/diverged-\(UUID().uuidString).csv"
        _ = OptLabCommand.execute(["train", "--dataset", "mnist", "--data-dir", TestData.mnistAsTrainingDirectory, "--layers", "16",
                                   "--optimizer", "sgd", "--lr", "1e6", "--epochs", "2", "--batch-size", "100", "--validation", "1000",
                                   "--csv", path])
        // One epoch row: the run stopped in its first epoch.
        #expect(try ResultsStore.readRows(path).count == 2)
    }
}

@Suite("Experiments: self-contained results folders and compare", .serialized)
struct ResultsFolderTests {
    static let text = """
        name: portable
        optimizers: [sgd, adam]
        grid: {lr: [0.01, 0.1]}
        problems:
          - surface: {surface: rosenbrock, steps: 400, targets: {distance: 0.01}}
          - surface: {surface: beale, steps: 300}
        """

    @Test("a folder copied elsewhere, its source suite deleted, plots, reports and compares; compare names a differing field")
    func portable() throws {
        let root = TestData.scratchRoot + "/optlab-portable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let source = root + "/portable.yaml"
        FileManager.default.createFile(atPath: source, contents: Data(Self.text.utf8))
        try SuiteRunner(suite: try Suite.load(path: source), outputRoot: root + "/results", log: { _ in }).run()
        let other = root + "/other.yaml"
        FileManager.default.createFile(atPath: other, contents: Data(Self.text.replacingOccurrences(of: "name: portable", with: "name: other")
            .replacingOccurrences(of: "steps: 300", with: "steps: 250").utf8))
        try SuiteRunner(suite: try Suite.load(path: other), outputRoot: root + "/results", log: { _ in }).run()
        // Move the folder and delete the source suite: everything still works from the folder.
        try FileManager.default.moveItem(atPath: root + "/results/portable", toPath: root + "/moved")
        try FileManager.default.removeItem(atPath: source)
        #expect(try String(contentsOfFile: root + "/moved/suite.yaml", encoding: .utf8) == Self.text)
        let document = try #require(try ResolvedSuite.read(in: root + "/moved"))
        #expect(document.name == "portable" && document.runs.count == 8 && document.problems.map(\.name) == ["rosenbrock", "beale"])
        #expect(document.problems[0].definition["steps"] == "400" && document.problems[0].definition["targets"] == "distance=0.01")
        let figures = try SuitePlotter(resultsDirectory: root + "/moved", plotsDirectory: root + "/plots").write()
        #expect(!figures.isEmpty)
        let report = try String(contentsOfFile: try ReportWriter.write(resultsDirectory: root + "/moved")[0], encoding: .utf8)
        #expect(report.contains("## rosenbrock"))
        #expect(FileManager.default.fileExists(atPath: root + "/moved/summary.csv"))
        // compare: rosenbrock is the same problem in both; beale differs in steps.
        let error = #expect(throws: InputError.self) { _ = try Comparison.text(try Comparison.load([root + "/moved", root + "/results/other"])) }
        #expect(error?.message.contains("problem 'beale' differs") == true && error?.message.contains("steps is 300 in one and 250 in the other") == true)
        let (code, message) = OptLabCommand.execute(["compare", root + "/moved", root + "/results/other"])
        #expect(code == 2 && message?.contains("steps is 300") == true)
    }

    @Test("compare shows each cell's configuration (fixed values, schedule) and says when they differ between folders")
    func compareConfigurations() throws {
        let root = TestData.scratchRoot + "/optlab-compare-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        func run(_ name: String, adam: String) throws -> String {
            let text = """
                name: \(name)
                seed: 2
                repeats: 2
                optimizers: [sgd, \(adam)]
                grid: {lr: [0.01]}
                problems:
                  - surface: {surface: rosenbrock, steps: 100, noise: 0.1}
                """
            try SuiteRunner(suite: try Suite.parse(text, file: name + ".yaml"), outputRoot: root, log: { _ in }).run()
            return root + "/" + name
        }
        let plain = try run("plain", adam: "adam")
        let tuned = try run("tuned", adam: "{name: adam, set: {beta_2: 0.9}, schedule: {type: cosine, steps: 100}}")
        let text = try Comparison.text(try Comparison.load([plain, tuned]))
        let adamLine = try #require(text.split(separator: "\n").first { $0.contains("adam (keras)") && !$0.contains("differ") })
        #expect(adamLine.contains("[lr=0.01 beta_2=0.999 schedule=constant]") && adamLine.contains("[lr=0.01 beta_2=0.9 schedule=cosine"))
        #expect(text.contains("Best settings differ between folders for adam (keras)"))
        #expect(!text.contains("for sgd"))
    }

    @Test("run ids cover the problem's definition: two suites differing in steps share none")
    func runIDs() throws {
        let a = try Suite.parse(Self.text, file: "a.yaml").expand().map(\.id)
        let b = try Suite.parse(Self.text.replacingOccurrences(of: "steps: 300", with: "steps: 301"), file: "b.yaml").expand().map(\.id)
        #expect(Set(a.prefix(4)) == Set(b.prefix(4)))
        #expect(Set(a.suffix(4)).isDisjoint(with: b.suffix(4)))
        // Targets only read the numbers: changing one keeps the ids.
        let c = try Suite.parse(Self.text.replacingOccurrences(of: "distance: 0.01", with: "distance: 0.1"), file: "c.yaml").expand().map(\.id)
        #expect(c == a)
    }

    @Test("gradient noise on a surface: seeded, repeated over seeds, and the summary tests it")
    func noise() throws {
        let text = """
            name: noisy
            repeats: 6
            optimizers: [sgd, {name: momentum, set: {momentum: 0.9}}]
            grid: {lr: [0.01]}
            problems:
              - surface: {surface: quadratic, steps: 200, noise: 0.5}
            """
        let suite = try Suite.parse(text, file: "n.yaml")
        #expect(suite.expand().count == 12)
        let root = TestData.scratchRoot + "/optlab-noise-\(UUID().uuidString)"
        try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run()
        let table = try RunsTable.read(root + "/noisy/runs.csv")
        let sgd = table.records.filter { $0.optimizer == "sgd" }.compactMap { $0.metric("final_loss") }
        #expect(Set(sgd).count == 6, "each seed draws its own noise")
        try SuiteRunner(suite: suite, outputRoot: root + "/again", log: { _ in }).run()
        #expect(try RunsTable.read(root + "/again/noisy/runs.csv").records.map { $0.metrics } == table.records.map { $0.metrics })
        let ranking = try #require(SuiteSummary.rank(table).first)
        #expect(!ranking.deterministic)
        #expect(ranking.entries.allSatisfy { $0.values.count == 6 && $0.interval != nil })
        #expect(ranking.entries[1].note.hasPrefix("Wilcoxon signed-rank over 6 paired seeds"))
    }

    @Test("a folder whose network runs all failed plots without error and says which figures it left out",
          .enabled(if: SuitePlotter.gnuplotPath() != nil, "needs gnuplot (apt-get install gnuplot-nox)"))
    func allFailed() throws {
        let root = TestData.scratchRoot + "/optlab-failed-\(UUID().uuidString)"
        let empty = root + "/no-data"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let text = """
            name: broken
            optimizers: [sgd, adam]
            grid: {lr: [0.01, 0.1]}
            problems:
              - network: {dataset: mnist, data_dir: "\(empty)", epochs: 1, batch_size: 8}
              - surface: {surface: booth, steps: 50}
            """
        let suite = try Suite.parse(text, file: "broken.yaml")
        try SuiteRunner(suite: suite, outputRoot: root, log: { _ in }).run()
        let table = try RunsTable.read(root + "/broken/runs.csv")
        #expect(table.records.filter { $0.problem == "mnist" }.allSatisfy { $0.status == .failed })
        let plotter = SuitePlotter(resultsDirectory: root + "/broken", plotsDirectory: root + "/plots")
        let (figures, leftOut) = try plotter.writeAll()
        #expect(leftOut.contains { $0.hasPrefix("mnist: loss, accuracy, ranking and heatmap") })
        #expect(leftOut.contains("mnist: learning-rate sensitivity (every run failed)"))
        #expect(!figures.contains { $0.name.hasPrefix("mnist-") })
        // What was written renders.
        let files = try plotter.render(figures, formats: ["png"])
        #expect(files.count == figures.count && files.count >= 3)
    }
}

/// The results folder's text formats read back to exactly what was written.
@Suite("Experiments: resolved runs and CSV fields round-trip")
struct RoundTripTests {
    @Test("run entries written by hand decode to the same values, whatever their strings and numbers")
    func resolvedRunEntries() throws {
        let awkward = ["a: b", "#x", "- y", "line\nbreak", "say \"hi\"", "back\\slash", "tab\there", "ünï", "sep\u{2028}", "", "null", "true", "1e5", "\u{1}"]
        var entries: [ResolvedSuite.RunEntry] = []
        for (i, text) in awkward.enumerated() {
            entries.append(ResolvedSuite.RunEntry(
                id: "r\(i)-" + text, index: i, problem: text, optimizer: "adam", convention: i % 2 == 0 ? "keras" : "pytorch",
                hyperparameters: i == 0 ? [:] : ["lr": 1e-05, "beta_1": 0.9, text.isEmpty ? "k" : text: [Double.nan, .infinity, -.infinity, 0.1 + 0.2][i % 4]],
                swept: i % 3 == 0 ? [:] : ["lr": text, text + "k": "0.001"], repeat: i, seed: i == 1 ? UInt64.max : UInt64(i),
                phase: i % 2 == 0 ? "tune" : nil, trial: i % 2 == 0 ? i : nil, schedule: i % 3 == 1 ? "cosine:final=0,per=epoch,steps=9,warmup=1" : nil))
        }
        let text = "runs:\n" + entries.map(ResolvedSuite.yaml).joined()
        let decoded = try YAMLDecoder().decode([String: [ResolvedSuite.RunEntry]].self, from: text)["runs"] ?? []
        #expect(decoded.count == entries.count)
        for (a, b) in zip(decoded, entries) {
            #expect(a.id == b.id && a.problem == b.problem && a.swept == b.swept && a.seed == b.seed && a.phase == b.phase && a.trial == b.trial
                    && a.schedule == b.schedule)
            #expect(a.hyperparameters.keys.sorted() == b.hyperparameters.keys.sorted())
            for (key, value) in b.hyperparameters {
                let back = a.hyperparameters[key]!
                #expect(value.isNaN ? back.isNaN : back == value, "\(key): \(value) read back as \(back)")
            }
        }
    }

    @Test("CSV fields with commas, quotes and line breaks (CRLF too) are quoted and parse back")
    func csvFields() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nend", "cr\rend", "", "ü"]
        let line = CSV.row(fields)
        #expect(CSV.parse(line) == [fields])
        #expect(CSV.escape("crlf\r\nend") == "\"crlf\r\nend\"" && CSV.escape("plain") == "plain")
    }
}
