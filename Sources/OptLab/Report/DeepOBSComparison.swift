import Foundation

/// DeepOBS's published runs of a problem (`experiments/reference/deepobs-quadratic-deep.csv`,
/// extracted by `scripts/reference/deepobs_baselines.py`): the final test loss of every
/// learning rate of the sweep, and every epoch of the seeds rerun at each optimizer's best rate.
public struct DeepOBSBaselines: Sendable {
    public struct Row: Sendable {
        public var optimizer: String
        public var lr: Double
        public var seed: Int
        public var epoch: Int
        public var testLoss: Double
    }

    public var rows: [Row]

    /// The name of a problem's copy in its results folder.
    public static func fileName(problem: String) -> String { "baselines-\(problem).csv" }

    public static func read(_ path: String) throws -> DeepOBSBaselines {
        let table = CSVTable(try ResultsStore.readRows(path))
        for column in ["optimizer", "lr", "seed", "epoch", "test_loss"] where !table.has(column) {
            throw InputError("the baselines file has no '\(column)' column", file: path)
        }
        var rows: [Row] = []
        for (n, row) in table.rows.enumerated() {
            guard let lr = table.number(row, "lr"), let seed = Int(table.value(row, "seed")), let epoch = Int(table.value(row, "epoch")) else {
                throw InputError("row \(n + 2): lr, seed and epoch must be numbers", file: path, line: n + 2)
            }
            // DeepOBS writes NaN and Infinity for runs that diverged.
            rows.append(Row(optimizer: table.value(row, "optimizer"), lr: lr, seed: seed, epoch: epoch,
                            testLoss: table.number(row, "test_loss") ?? .nan))
        }
        return DeepOBSBaselines(rows: rows)
    }

    public var optimizers: [String] {
        var seen: [String] = []
        for row in rows where !seen.contains(row.optimizer) { seen.append(row.optimizer) }
        return seen
    }

    var lastEpoch: Int { rows.map(\.epoch).max() ?? 0 }

    /// The sweep: the final test loss at each learning rate (the lowest seed at each).
    public func sweep(_ optimizer: String) -> [(lr: Double, loss: Double)] {
        let finals = rows.filter { $0.optimizer == optimizer && $0.epoch == lastEpoch }
        return Set(finals.map(\.lr)).sorted().map { lr in
            (lr, finals.filter { $0.lr == lr }.min { $0.seed < $1.seed }!.testLoss)
        }
    }

    /// The rate DeepOBS reran with several seeds: its best.
    public func bestRate(_ optimizer: String) -> Double? {
        let mine = rows.filter { $0.optimizer == optimizer }
        return Set(mine.map(\.lr)).first { lr in Set(mine.filter { $0.lr == lr }.map(\.seed)).count > 1 }
    }

    /// Final test losses of the seeds at the best rate.
    public func confirmation(_ optimizer: String) -> [Double] {
        guard let lr = bestRate(optimizer) else { return [] }
        return rows.filter { $0.optimizer == optimizer && $0.lr == lr && $0.epoch == lastEpoch }.map(\.testLoss)
    }

    /// Test loss per epoch, one curve per seed, at the best rate.
    public func curves(_ optimizer: String) -> [[Double]] {
        guard let lr = bestRate(optimizer) else { return [] }
        let mine = rows.filter { $0.optimizer == optimizer && $0.lr == lr }
        return Set(mine.map(\.seed)).sorted().map { seed in mine.filter { $0.seed == seed }.sorted { $0.epoch < $1.epoch }.map(\.testLoss) }
    }

    /// Two learning rates of 5-per-decade grids written with different digits are the same.
    static func same(_ a: Double, _ b: Double) -> Bool { abs(log10(a / b)) < 1e-6 }
}

/// The report section setting a DeepOBS problem's results beside the published ones.
public enum DeepOBSComparison {
    /// How many grid steps apart two rates of a 5-per-decade grid are.
    static func gridSteps(_ a: Double, _ b: Double) -> Int { Int((5 * log10(a / b)).rounded()) }

    public struct Agreement: Sendable {
        public var optimizer: String
        public var ourRate: Double?
        public var theirRate: Double?
        public var ours: [Double]
        public var theirs: [Double]
        /// √(s₁²/n₁ + s₂²/n₂).
        public var combinedError: Double
        public var difference: Double
        public var rateAgrees: Bool
        public var meanAgrees: Bool
    }

    /// The optimizers of both, in the order of the suite's runs.
    static func optimizers(_ table: RunsTable, problem: String, baselines: DeepOBSBaselines) -> [String] {
        var seen: [String] = []
        for record in table.records where record.problem == problem && baselines.optimizers.contains(record.optimizer) && !seen.contains(record.optimizer) {
            seen.append(record.optimizer)
        }
        return seen
    }

    /// The runs set against DeepOBS's seeds at its best rate: the confirmation runs of a
    /// tuning protocol, or, in a suite without one (fixed rates, many seeds), every run.
    static func seedRuns(_ table: RunsTable, problem: String, optimizer: String) -> [RunRecord] {
        let runs = table.records.filter { $0.problem == problem && $0.optimizer == optimizer }
        return runs.contains { $0.phase != nil } ? runs.filter { $0.phase == .confirm } : runs
    }

    public static func agreements(_ table: RunsTable, problem: String, baselines: DeepOBSBaselines) -> [Agreement] {
        optimizers(table, problem: problem, baselines: baselines).map { optimizer in
            let confirm = seedRuns(table, problem: problem, optimizer: optimizer)
            let ours = confirm.filter(\.isUsable).compactMap { $0.metric(TuningProtocol.deepOBSMetric) }
            let theirs = baselines.confirmation(optimizer).filter(\.isFinite)
            let ourRate = confirm.first?.lr, theirRate = baselines.bestRate(optimizer)
            let error = ours.count > 1 && theirs.count > 1
                ? (pow(Statistics.standardDeviation(ours), 2) / Double(ours.count) + pow(Statistics.standardDeviation(theirs), 2) / Double(theirs.count)).squareRoot()
                : .nan
            let difference = ours.isEmpty || theirs.isEmpty ? .nan : Statistics.mean(ours) - Statistics.mean(theirs)
            let rateAgrees = ourRate.flatMap { a in theirRate.map { b in abs(gridSteps(a, b)) <= 1 } } ?? false
            return Agreement(optimizer: optimizer, ourRate: ourRate, theirRate: theirRate, ours: ours, theirs: theirs, combinedError: error,
                             difference: difference, rateAgrees: rateAgrees, meanAgrees: abs(difference) <= error)
        }
    }

    /// - Parameter seedOf: DeepOBS's seed of a run, when the batch order is TensorFlow's: then
    ///   every run has a published twin and they are compared one by one.
    public static func section(_ table: RunsTable, problem: String, baselines: DeepOBSBaselines, seedOf: ((RunRecord) -> Int)? = nil) -> String {
        let optimizers = optimizers(table, problem: problem, baselines: baselines)
        let tune = table.records.filter { $0.problem == problem && $0.phase == .tune }
        var text = "\n### Beside DeepOBS's published runs\n\n"
        if tune.isEmpty {
            text += "DeepOBS's baselines (Schneider, Balles & Hennig, 2019; `fsschneider/DeepOBS_Baselines`, MIT licence) for the same problem: \(baselines.confirmation(optimizers.first ?? "").count) seeds at each optimizer's best rate, set beside this suite's runs (no learning-rate sweep here).\n"
            return text + agreementTable(problem: problem, agreements: agreements(table, problem: problem, baselines: baselines), what: "seeds (every run of this suite)")
        }
        text += "DeepOBS's baselines (Schneider, Balles & Hennig, 2019; `fsschneider/DeepOBS_Baselines`, MIT licence) for the same problem: "
        text += "final test loss after \(baselines.lastEpoch) epochs at each learning rate of the sweep (one seed), and \(baselines.confirmation(optimizers.first ?? "").count) seeds at each optimizer's best rate. "
        text += "`div` marks a run that diverged (OptLab's rule; DeepOBS's NaN or infinite loss).\n\n"
        text += "| lr |" + optimizers.map { " \($0), OptLab | \($0), DeepOBS |" }.joined() + "\n|---:|" + String(repeating: "---:|---:|", count: optimizers.count) + "\n"
        let rates = Set(tune.compactMap(\.lr)).sorted()
        func cell(_ value: Double?) -> String { value.map { $0.isFinite ? String(format: "%.5g", $0) : "div" } ?? "—" }
        for lr in rates {
            text += "| \(String(format: "%.4g", lr)) |"
            for optimizer in optimizers {
                let run = tune.first { $0.optimizer == optimizer && $0.lr.map { DeepOBSBaselines.same($0, lr) } == true }
                let ours: Double? = run.map { $0.isUsable ? $0.metric(TuningProtocol.deepOBSMetric) ?? .nan : .nan }
                let theirs = baselines.sweep(optimizer).first { DeepOBSBaselines.same($0.lr, lr) }?.loss
                text += " \(cell(ours)) | \(cell(theirs)) |"
            }
            text += "\n"
        }
        // Where the two disagree on divergence: OptLab stops a run by its documented rule (the
        // training loss beyond 100 times its start), DeepOBS runs on until NaN.
        var mismatches: [String] = []
        for optimizer in optimizers {
            let ours = tune.filter { $0.optimizer == optimizer }
            let sweep = baselines.sweep(optimizer)
            let stopped = sweep.filter { point in point.loss.isFinite && ours.contains { r in r.lr.map { DeepOBSBaselines.same($0, point.lr) } == true && !r.isUsable } }
            let published = sweep.filter { point in !point.loss.isFinite && ours.contains { r in r.lr.map { DeepOBSBaselines.same($0, point.lr) } == true && r.isUsable } }
            if !stopped.isEmpty { mismatches.append("\(optimizer) at \(stopped.count) rate\(stopped.count == 1 ? "" : "s") from \(String(format: "%.4g", stopped[0].lr)) diverged here but ended finite in DeepOBS's runs") }
            if !published.isEmpty { mismatches.append("\(optimizer) at \(published.count) rate\(published.count == 1 ? "" : "s") from \(String(format: "%.4g", published[0].lr)) ended finite here but diverged in DeepOBS's runs") }
        }
        text += mismatches.isEmpty ? "\nBoth agree on which rates diverge.\n"
            : "\nWhere they differ on divergence (OptLab stops a run whose training loss exceeds 100 times its start; DeepOBS ran every run to the end): " + mismatches.joined(separator: "; ") + ".\n"
        if let seedOf { text += runByRun(table, problem: problem, baselines: baselines, seedOf: seedOf) }
        return text + agreementTable(problem: problem, agreements: agreements(table, problem: problem, baselines: baselines), what: "confirmation seeds")
    }

    /// A run and its published twin: same optimizer, rate and DeepOBS seed.
    public struct Pair: Sendable {
        public var optimizer: String
        public var lr: Double
        public var seed: Int
        public var ours: Double
        public var theirs: Double
        public var relative: Double { abs(ours - theirs) / abs(theirs) }
    }

    /// Every run with a published twin whose final test losses are both finite.
    public static func pairs(_ table: RunsTable, problem: String, baselines: DeepOBSBaselines, seedOf: (RunRecord) -> Int) -> [Pair] {
        let finals = baselines.rows.filter { $0.epoch == baselines.lastEpoch && $0.testLoss.isFinite }
        var result: [Pair] = [], seen = Set<String>()
        for run in table.records where run.problem == problem && run.isUsable {
            guard let lr = run.lr, let ours = run.metric(TuningProtocol.deepOBSMetric) else { continue }
            let seed = seedOf(run)
            // A confirmation run can repeat its tuning trial (DeepOBS's seed 42 is both): count it once.
            guard seen.insert("\(run.optimizer) \(lr) \(seed)").inserted,
                  let twin = finals.first(where: { $0.optimizer == run.optimizer && $0.seed == seed && DeepOBSBaselines.same($0.lr, lr) }) else { continue }
            result.append(Pair(optimizer: run.optimizer, lr: lr, seed: seed, ours: ours, theirs: twin.testLoss))
        }
        return result
    }

    /// The runs set one to one beside their published twins.
    static func runByRun(_ table: RunsTable, problem: String, baselines: DeepOBSBaselines, seedOf: (RunRecord) -> Int) -> String {
        let all = pairs(table, problem: problem, baselines: baselines, seedOf: seedOf)
        guard !all.isEmpty else { return "" }
        let close = 1e-4
        var text = "\nRun by run: the batch order is the one DeepOBS's TensorFlow pipeline drew for each seed, so every run has a published twin "
        text += "(same optimizer, rate and seed; as in DeepOBS's protocol, the first confirmation seed is the sweep's). Both final test losses finite in \(all.count) pairs; they agree within \(String(format: "%g", close * 100))% "
        text += "(float32 against float64 arithmetic) in \(all.filter { $0.relative <= close }.count).\n\n"
        text += "| optimizer | pairs | within \(String(format: "%g", close * 100))% | largest relative difference | at lr | seed | OptLab | DeepOBS |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for optimizer in optimizers(table, problem: problem, baselines: baselines) {
            let mine = all.filter { $0.optimizer == optimizer }
            guard let worst = mine.max(by: { $0.relative < $1.relative }) else { continue }
            text += "| \(optimizer) | \(mine.count) | \(mine.filter { $0.relative <= close }.count) | \(String(format: "%.2g", worst.relative)) | "
            text += "\(String(format: "%.4g", worst.lr)) | \(worst.seed) | \(String(format: "%.6g", worst.ours)) | \(String(format: "%.6g", worst.theirs)) |\n"
        }
        let apart = all.filter { $0.relative > close }.sorted { $0.relative > $1.relative }
        if !apart.isEmpty {
            text += "\nApart by more: " + apart.map { "\($0.optimizer) at lr " + String(format: "%.4g, seed %d (%.5g against %.5g)", $0.lr, $0.seed, $0.ours, $0.theirs) }.joined(separator: "; ") + ".\n"
        }
        return text
    }

    /// The means at the best rates, side by side, with the verdict.
    static func agreementTable(problem: String, agreements: [Agreement], what: String) -> String {
        var text = "\nAt each optimizer's best rate: OptLab's \(what) against DeepOBS's. The mean final test losses agree when they differ by no more than the combined standard error √(s₁²/n₁ + s₂²/n₂) "
        text += "(a strict rule: two samples of one distribution differ by more than that about one time in three; the ratio column says by how much).\n\n"
        text += "| optimizer | best lr, OptLab | best lr, DeepOBS | grid steps apart | OptLab mean ± std (n) | 95% interval | DeepOBS mean ± std (n) | difference | combined standard error | ratio | verdict |\n"
        text += "|---|---:|---:|---:|---|---|---|---:|---:|---:|---|\n"
        for a in agreements {
            let steps = a.ourRate.flatMap { o in a.theirRate.map { gridSteps(o, $0) } }
            let interval = Statistics.bootstrapInterval(a.ours, seed: fnv1a64(problem + a.optimizer)).map { String(format: "[%.4f, %.4f]", $0.low, $0.high) } ?? "—"
            func summary(_ v: [Double]) -> String { v.isEmpty ? "—" : String(format: "%.4f ± %.4f (%d)", Statistics.mean(v), v.count > 1 ? Statistics.standardDeviation(v) : 0, v.count) }
            let verdict = a.ours.isEmpty ? "no confirmation" : (a.rateAgrees ? "rate agrees" : "rate differs") + "; " + (a.meanAgrees ? "mean agrees" : "mean differs")
            text += "| \(a.optimizer) | \(a.ourRate.map { String(format: "%.4g", $0) } ?? "—") | \(a.theirRate.map { String(format: "%.4g", $0) } ?? "—") | \(steps.map(String.init) ?? "—") | "
            text += "\(summary(a.ours)) | \(interval) | \(summary(a.theirs)) | \(a.difference.isFinite ? String(format: "%+.4f", a.difference) : "—") | "
            let ratio = abs(a.difference) / a.combinedError
            text += "\(a.combinedError.isFinite ? String(format: "%.4f", a.combinedError) : "—") | \(ratio.isFinite ? String(format: "%.1f", ratio) : "—") | \(verdict) |\n"
        }
        let all = agreements.allSatisfy { $0.rateAgrees && $0.meanAgrees }
        text += "\n**Reproduction: " + (all ? "agrees" : "does not fully agree") + "** — "
        text += agreements.map { a in "\(a.optimizer)" + (a.rateAgrees && a.meanAgrees ? " agrees" : ": " + [a.rateAgrees ? nil : "its best rate is more than one grid step from DeepOBS's",
                                                                                                  a.meanAgrees ? nil : String(format: "its mean differs by %.1f combined standard errors", abs(a.difference) / a.combinedError)].compactMap { $0 }.joined(separator: " and ")) }
            .joined(separator: "; ") + ".\n"
        text += "Ranking by mean final test loss: OptLab " + order(agreements.map { ($0.optimizer, $0.ours) }) + "; DeepOBS " + order(agreements.map { ($0.optimizer, $0.theirs) }) + ".\n"
        return text
    }

    /// "momentum < adam < sgd" by mean, lowest first.
    static func order(_ groups: [(String, [Double])]) -> String {
        groups.filter { !$0.1.isEmpty }.sorted { Statistics.mean($0.1) < Statistics.mean($1.1) }.map(\.0).joined(separator: " < ")
    }

    /// The same DeepOBS problem under two batch orders: what reshuffling every epoch changes,
    /// read from each problem's ranking (confirmation seeds, paired tests).
    public static func shuffleSection(_ rankings: [SuiteSummary.ProblemRanking], fixed: String, shuffle: ShuffleMode = .once, perEpoch: String,
                                      baselines: DeepOBSBaselines?) -> String {
        guard let a = rankings.first(where: { $0.problem == fixed }), let b = rankings.first(where: { $0.problem == perEpoch }) else { return "" }
        var text = "\n## Reshuffling every epoch\n\n"
        text += shuffle == .tensorflow
            ? "`\(fixed)` uses the batch order of DeepOBS's TensorFlow pipeline, the same every epoch, as DeepOBS's published runs did; "
            : "`\(fixed)` draws each seed's batch order once and reuses it every epoch, as DeepOBS's published runs did; "
        text += "`\(perEpoch)` draws a fresh order every epoch, tuned and confirmed the same way. "
        text += "Rank and verdict come from each problem's ranking above (paired by seed, Wilcoxon signed-rank with Holm's adjustment).\n\n"
        text += "| optimizer | same order: setting | same order: final test loss | same order: rank, verdict | reshuffled: setting | reshuffled: final test loss | reshuffled: rank, verdict |\n|---|---|---|---|---|---|---|\n"
        func describe(_ e: SuiteSummary.Entry?) -> (String, String, String) {
            guard let e, e.rank != nil else { return ("—", "—", e?.verdict?.rawValue ?? "—") }
            let verdict = (e.verdict?.rawValue ?? "no test") + (e.pValue.map { String(format: " (p = %.3g)", $0) } ?? "")
            return (e.setting, String(format: "%.4f ± %.4f (%d)", e.mean, e.values.count > 1 ? e.standardDeviation : 0, e.values.count), "\(e.rank!), \(verdict)")
        }
        for entry in a.entries {
            let (s1, m1, v1) = describe(entry)
            let (s2, m2, v2) = describe(b.entries.first { $0.optimizer == entry.optimizer })
            text += "| \(entry.optimizer) | \(s1) | \(m1) | \(v1) | \(s2) | \(m2) | \(v2) |\n"
        }
        guard let baselines else { return text }
        let published = baselines.optimizers.filter { !baselines.confirmation($0).isEmpty }
            .sorted { Statistics.mean(baselines.confirmation($0).filter(\.isFinite)) < Statistics.mean(baselines.confirmation($1).filter(\.isFinite)) }
        /// Whether a ranking gives the published order with every step distinguishable.
        func reading(_ r: SuiteSummary.ProblemRanking) -> String {
            let ranked = r.entries.filter { $0.rank != nil }.map(\.optimizer)
            let tied = r.entries.filter { $0.verdict == .tied }.map(\.optimizer)
            if ranked == published {
                return tied.isEmpty ? "the published order, every optimizer distinguishably worse than the first"
                    : "the published order, but \(tied.joined(separator: ", ")) not distinguishable from the first"
            }
            return "not the published order: \(ranked.joined(separator: " < "))" + (tied.isEmpty ? "" : ", with \(tied.joined(separator: ", ")) not distinguishable from the first")
        }
        text += "\nDeepOBS's published order by mean final test loss: \(published.joined(separator: " < ")). With the order fixed per seed: \(reading(a)). "
        text += "Reshuffled every epoch: \(reading(b)).\n"
        return text
    }
}
