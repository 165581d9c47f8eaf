import Foundation
import Testing
import OptLab

@Suite("Experiments: the tuning protocol", .serialized)
struct ProtocolTests {
    static func suiteText(name: String = "proto", sampler: String = "random", budget: String = "budget: 5,", seeds: Int = 4,
                          extra: String = "") -> String {
        """
        name: \(name)
        seed: 3
        optimizers:
          - sgd
          - name: momentum
            grid: {momentum: [0.5, 0.9]}
        grid:
          lr: {from: 1.0e-4, to: 1.0e-1, per_decade: 1}
        protocol:
          tune: {\(budget) sampler: \(sampler), seed: 11}
          select_on: final_val_acc
          confirm: {seeds: \(seeds)}
          report_on: final_test_acc
        \(extra)
        problems:
          - surface: {name: noisy, surface: quadratic, steps: 200, noise: 0.5, targets: {loss: 0.05}}
        """
    }

    @Test("random search draws log-uniformly inside the range, to 4 digits, the same for the same seed")
    func randomSampling() throws {
        let suite = try Suite.parse(Self.suiteText(), file: "p.yaml")
        let runs = suite.expand()
        #expect(runs.count == 10)                                // 5 trials × 2 optimizers, one seed
        #expect(runs.allSatisfy { $0.phase == .tune && $0.repeatIndex == 0 })
        #expect(runs.map(\.trial) == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
        #expect(suite.plannedRunCount() == 10 + 2 * 4)           // plus 4 confirmation seeds per optimizer
        let lrs = runs.compactMap { $0.settings["lr"]?.number }
        #expect(lrs.count == 10)
        for lr in lrs {
            #expect(lr >= 1e-4 && lr <= 1e-1)
            // Four significant digits: printing with four gives the same number back.
            #expect(Double(String(format: "%.3e", lr)) == lr)
        }
        // Not the grid's four values: a continuous draw.
        #expect(Set(lrs).isSubset(of: [1e-4, 1e-3, 1e-2, 1e-1]) == false)
        // Momentum's list is drawn among its values.
        #expect(runs.filter { $0.optimizer.kind == .momentum }.allSatisfy { [0.5, 0.9].contains($0.settings["momentum"]?.number ?? -1) })
        // Reproducible, and the seed matters.
        #expect(try Suite.parse(Self.suiteText(), file: "p.yaml").expand().map(\.id) == runs.map(\.id))
        let other = try Suite.parse(Self.suiteText().replacingOccurrences(of: "seed: 11", with: "seed: 12"), file: "p.yaml").expand()
        #expect(other.compactMap { $0.settings["lr"]?.number } != lrs)
        #expect(Set(runs.map(\.id)).count == runs.count)
    }

    @Test("the grid sampler runs the whole grid, or a seeded subset of budget settings in grid order")
    func gridSampling() throws {
        let whole = try Suite.parse(Self.suiteText(sampler: "grid", budget: ""), file: "p.yaml")
        #expect(whole.expand().count == 4 + 8)                   // sgd: 4 lrs; momentum: 4 lrs × 2
        let subset = try Suite.parse(Self.suiteText(sampler: "grid", budget: "budget: 3,"), file: "p.yaml")
        let runs = subset.expand()
        #expect(runs.count == 3 + 3)
        #expect(subset.plannedRunCount() == 6 + 2 * 4)
        // With two start points every trial runs at both; the selected one is confirmed at its start only.
        let twoStarts = try Suite.parse(Self.suiteText(sampler: "grid", budget: "budget: 3,")
            .replacingOccurrences(of: "steps: 200,", with: "steps: 200, start: [[1, 1], [2, 2]],"), file: "p.yaml")
        #expect(twoStarts.expand().count == 2 * 6 && twoStarts.plannedRunCount() == 2 * 6 + 2 * 4)
        let sgd = runs.filter { $0.optimizer.kind == .sgd }.compactMap { $0.settings["lr"]?.number }
        #expect(Set(sgd).count == 3 && Set(sgd).isSubset(of: [1e-4, 1e-3, 1e-2, 1e-1]) && sgd == sgd.sorted())
    }

    @Test("a protocol's mistakes are input errors with their place")
    func protocolErrors() {
        func message(_ text: String) -> String {
            do { _ = try Suite.parse(text, file: "p.yaml"); return "" } catch { return "\(error)" }
        }
        #expect(message(Self.suiteText(budget: "")).contains("random search needs a 'budget'"))
        #expect(message(Self.suiteText(extra: "repeats: 3")).contains("'repeats' has no effect under a protocol"))
        #expect(message(Self.suiteText().replacingOccurrences(of: "select_on: final_val_acc", with: "select_on: final_test_acc"))
            .contains("select_on 'final_test_acc' is not one of final_val_acc"))
        #expect(message(Self.suiteText(sampler: "bayes")).contains("unknown sampler 'bayes'"))
        let noValidation = Self.suiteText().replacingOccurrences(of: "  - surface: {name: noisy, surface: quadratic, steps: 200, noise: 0.5, targets: {loss: 0.05}}",
                                                                  with: "  - network: {dataset: mnist, validation: 0, epochs: 1, batch_size: 10}")
        #expect(message(noValidation).contains("has no validation set"))
    }

    /// Records for the selection tests, read through runs.csv's own reader.
    static func records(_ outcomes: [(id: String, status: RunStatus, accuracy: Double?)]) throws -> [String: RunRecord] {
        let header = RunsTable.header(sweptKeys: [], targetColumns: [], tuning: true)
        let rows = outcomes.map { o in
            let fields = ["run_id": o.id, "problem": "p", "type": "network", "optimizer": "sgd", "convention": "keras", "status": o.status.rawValue,
                          "final_val_acc": o.accuracy.map { "\($0)" } ?? "", "final_test_acc": "0.99"]
            return header.map { fields[$0] ?? "" }
        }
        return Dictionary(uniqueKeysWithValues: try RunsTable(rows: [header] + rows).records.map { ($0.runID, $0) })
    }

    @Test("the confirmation reruns the usable trial with the best validation metric, on fresh seeds")
    func selection() throws {
        let text = Self.suiteText(seeds: 3).replacingOccurrences(of: "  - surface: {name: noisy, surface: quadratic, steps: 200, noise: 0.5, targets: {loss: 0.05}}",
                                                                 with: "  - network: {name: p, dataset: mnist, validation: 100, epochs: 1, batch_size: 10}")
        let suite = try Suite.parse(text, file: "p.yaml")
        let tuning = suite.expand()
        let sgd = tuning.filter { $0.entryIndex == 0 }, momentum = tuning.filter { $0.entryIndex == 1 }
        // sgd: trial 2 diverged with the highest accuracy on record; trial 3 is the best usable one.
        let outcomes: [(RunStatus, Double?)] = [(.ok, 0.5), (.ok, 0.7), (.diverged, 0.95), (.ok, 0.9), (.ok, 0.9)]
        // momentum: every trial diverged.
        let records = try Self.records(zip(sgd, outcomes).map { ($0.id, $1.0, $1.1) } + momentum.map { ($0.id, RunStatus.diverged, nil) })
        let confirmation = suite.confirmationRuns(tuning: tuning, records: records)
        #expect(confirmation.count == 3)
        #expect(confirmation.allSatisfy { $0.entryIndex == 0 && $0.trial == 3 && $0.phase == .confirm })
        #expect(confirmation.map(\.settings["lr"]) == Array(repeating: sgd[3].settings["lr"], count: 3))
        #expect(confirmation.map(\.repeatIndex) == [1, 2, 3])
        #expect(confirmation.map(\.seed) == [suite.seed(repeat: 1), suite.seed(repeat: 2), suite.seed(repeat: 3)])
        #expect(!confirmation.map(\.seed).contains(suite.seed(repeat: 0)))   // fresh: not the tuning seed
        #expect(confirmation.map(\.index) == [10, 11, 12])
    }

    @Test("a protocol suite runs tuning then confirmation; the ranking uses the confirmation runs only")
    func endToEnd() throws {
        let root = ExecutionTests.temporaryRoot()
        let text = Self.suiteText()
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        let (ran, skipped) = try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
        let table = try RunsTable.read(root + "/proto/runs.csv")
        #expect(table.header.contains("phase") && table.header.contains("trial"))
        let tune = table.records.filter { $0.phase == .tune }, confirm = table.records.filter { $0.phase == .confirm }
        #expect(tune.count == 10)
        #expect(ran == table.records.count && skipped == 0)
        // Each optimizer with a usable trial is confirmed on 4 seeds at its best trial's setting.
        for optimizer in ["sgd", "momentum"] {
            let trials = tune.filter { $0.optimizer == optimizer && $0.isUsable }
            let mine = confirm.filter { $0.optimizer == optimizer }
            guard let best = trials.min(by: { ($0.metric("final_loss") ?? .infinity) < ($1.metric("final_loss") ?? .infinity) }) else {
                #expect(mine.isEmpty)
                continue
            }
            #expect(mine.count == 4)
            #expect(mine.allSatisfy { $0.trial == best.trial && $0.lr == best.lr && $0.settings == best.settings })
            #expect(Set(mine.map(\.repeatIndex)) == [1, 2, 3, 4])
        }
        let rankings = SuiteSummary.rank(table, tuning: suite.tuning)
        for entry in rankings[0].entries where entry.rank != nil {
            #expect(entry.values.count == 4)
            #expect(entry.runIDs.allSatisfy { id in confirm.contains { $0.runID == id } })
        }
        // Resuming a finished protocol suite runs nothing and keeps the same rows.
        let before = try ResultsStore.readRows(root + "/proto/runs.csv")
        let again = try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, existing: .resume, log: { _ in }).run()
        #expect(again.ran == 0)
        #expect(try ResultsStore.readRows(root + "/proto/runs.csv") == before)
        // Shards cannot split it.
        #expect(throws: InputError.self) {
            try SuiteRunner(suite: suite, outputRoot: root + "/s", shard: Shard(index: 0, count: 2), log: { _ in }).run()
        }
        // The report has the protocol's sections, from the folder alone.
        let report = try String(contentsOfFile: ReportWriter.write(resultsDirectory: root + "/proto", plotsDirectory: root + "/plots")[0], encoding: .utf8)
        #expect(report.contains("Tuning protocol: each optimizer tried") && report.contains("## Performance profile"))
    }

    @Test("performance profile: the fraction of problems within τ of the best, a miss never within")
    func performanceProfile() throws {
        // Two problems; epochs to target per optimizer: a: A 2, B 3; b: A 4, B 4 (one seed of B misses on c).
        var rows = [RunsTable.header(sweptKeys: [], targetColumns: ["to_val_acc_0.9"], tuning: true)]
        func row(_ id: String, _ problem: String, _ optimizer: String, _ reached: String) -> [String] {
            let fields: [String: String] = ["run_id": id, "problem": problem, "type": "network", "optimizer": optimizer, "convention": "keras",
                                            "lr": "0.1", "repeat": "1", "seed": "1", "phase": "confirm", "trial": "0", "status": "ok",
                                            "final_test_acc": "0.9", "to_val_acc_0.9": reached]
            return rows[0].map { fields[$0] ?? "" }
        }
        rows += [row("1", "a", "A", "2"), row("2", "a", "B", "3"), row("3", "b", "A", "4"), row("4", "b", "B", "4"),
                 row("5", "c", "A", "5"), row("6", "c", "B", "5"), row("7", "c", "B", "")]
        let table = try RunsTable(rows: rows)
        let targets = ["a": ["to_val_acc_0.9"], "b": ["to_val_acc_0.9"], "c": ["to_val_acc_0.9"]]
        let text = try #require(ProtocolReport.performanceProfile(table, targets: targets))
        // τ = 1, 1.25, 1.5, 2, 3, 4. A is best everywhere: 3/3. B: b (tie) at τ = 1; a (3 ≤ 1.5·2) from τ = 1.5; c never.
        #expect(text.contains("| A (keras) | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |"))
        #expect(text.contains("| B (keras) | 0.33 | 0.33 | 0.67 | 0.67 | 0.67 | 0.67 |"))
    }
}

@Suite("Experiments: stop_at_target", .serialized)
struct StopAtTargetTests {
    static func run(_ text: String, root: String) throws -> (RunsTable, [[String]], [[String]]) {
        let suite = try Suite.parse(text, file: ExecutionTests.write(text, in: root))
        try SuiteRunner(suite: suite, outputRoot: root, jobs: 1, log: { _ in }).run()
        let folder = root + "/" + suite.name
        return (try RunsTable.read(folder + "/runs.csv"), try ResultsStore.readRows(folder + "/epochs.csv"),
                try ResultsStore.readRows(folder + "/trajectories.csv"))
    }

    @Test("a surface run ends at the step its last target is first reached; the steps before are those of the full run")
    func surface() throws {
        let root = ExecutionTests.temporaryRoot()
        func text(_ stop: Bool) -> String {
            """
            name: s\(stop ? "stop" : "full")
            optimizers: [{name: momentum, set: {lr: 0.01}}]
            problems:
              - surface: {surface: quadratic, steps: 2000, record: every, stop_at_target: \(stop), targets: {loss: 1.0e-3, distance: 1.0e-1}}
            """
        }
        let (full, _, fullPath) = try Self.run(text(false), root: root)
        let (stopped, _, stoppedPath) = try Self.run(text(true), root: root)
        let f = try #require(full.records.first), s = try #require(stopped.records.first)
        let last = try #require([f.reached["to_loss_0.001"], f.reached["to_distance_0.1"]].compactMap { $0 }.max())
        #expect(s.status == .stoppedAtTarget && f.status == .ok)
        #expect(s.steps == last && s.reached == f.reached)
        #expect(stoppedPath.count == last + 2)                         // header, steps 0…last
        #expect(Array(stoppedPath.dropFirst().map { Array($0.dropFirst()) }) == Array(fullPath.dropFirst().prefix(last + 1).map { Array($0.dropFirst()) }))
        // Different ids: the option changes the run's recorded numbers.
        #expect(f.runID != s.runID)
    }

    @Test("a network run ends after the epoch its last target is reached, with the same epochs as the full run up to there")
    func network() throws {
        let root = ExecutionTests.temporaryRoot()
        func text(_ stop: Bool) -> String {
            """
            name: n\(stop ? "stop" : "full")
            seed: 4
            optimizers: [{name: adam, set: {lr: 0.003}}]
            problems:
              - network: {dataset: mnist, data_dir: "\(TestData.mnistAsTrainingDirectory)", train_limit: 600, test_limit: 100,
                          validation: 100, layers: [16], epochs: 6, batch_size: 50, stop_at_target: \(stop), targets: {train_loss: 1.2, val_acc: 0.5}}
            """
        }
        let (full, fullEpochs, _) = try Self.run(text(false), root: root)
        let (stopped, stoppedEpochs, _) = try Self.run(text(true), root: root)
        let f = try #require(full.records.first), s = try #require(stopped.records.first)
        let last = try #require([f.reached["to_train_loss_1.2"], f.reached["to_val_acc_0.5"]].compactMap { $0 }.max())
        try #require(last < 6, "the targets are meant to be reached before the last epoch")
        #expect(s.status == .stoppedAtTarget && s.epochs == last && s.reached == f.reached)
        // Epoch rows up to the stop agree on the training numbers (seconds and gradient columns aside).
        let columns = ["epoch", "train_loss", "val_loss", "train_acc", "val_acc"].compactMap { fullEpochs[0].firstIndex(of: $0) }
        #expect(stoppedEpochs.count == last + 1)
        #expect(stoppedEpochs.dropFirst().map { r in columns.map { r[$0] } } == fullEpochs.dropFirst().prefix(last).map { r in columns.map { r[$0] } })
    }

    @Test("stop_at_target without targets, or on test accuracy measured only at the end, is an input error")
    func errors() {
        func message(_ problem: String) -> String {
            do { _ = try Suite.parse("name: x\noptimizers: [sgd]\nproblems:\n  - \(problem)\n", file: "x.yaml"); return "" } catch { return "\(error)" }
        }
        #expect(message("surface: {surface: beale, steps: 10, stop_at_target: true}").contains("stop_at_target needs 'targets'"))
        #expect(message("network: {dataset: mnist, epochs: 2, batch_size: 10, stop_at_target: true}").contains("stop_at_target needs 'targets'"))
        #expect(message("network: {dataset: mnist, epochs: 2, batch_size: 10, stop_at_target: true, targets: {test_acc: 0.9}}").contains("needs test_every_epoch: true"))
    }
}
