import Foundation

/// The course material's claims, each checked against the results of the suite made for
/// it. A suite whose name starts with `depth`, `regularization`, `batch-size`,
/// `activations` or `optimizers-` gets the matching section in its report, ending with a
/// verdict at 95%: the claim holds, is refuted, or the evidence is inconclusive. Every
/// comparison is paired by seed and tested (``PairedEvidence``); every number comes from
/// the suite's CSV files.
public enum CourseClaims {
    typealias Table = CSVTable
    public typealias Verdict = PairedEvidence.Outcome

    public struct Section: Sendable {
        public var title: String
        public var claim: String
        public var body: String
        public var verdict: Verdict
        public var reason: String

        public var markdown: String {
            let words = switch verdict {
            case .holds: "the claim holds"
            case .refuted: "the claim is refuted"
            case .inconclusive: "inconclusive"
            }
            return "\n## Claim: \(title)\n\n> \(claim)\n\n\(body)\n**Verdict at 95%: \(words)**: \(reason)\n"
        }
    }

    /// The sections that apply to a suite named `suite`. `trainingExamples` holds, per
    /// network problem, the examples left for training after the validation split.
    public static func sections(suite: String, runs: [[String]], epochs: [[String]] = [],
                                trainingExamples: [String: Int] = [:]) -> [Section] {
        let runs = Table(runs), epochs = Table(epochs)
        var result: [Section?] = []
        if suite.hasPrefix("depth") { result.append(depth(runs)) }
        if suite.hasPrefix("regularization") { result.append(regularization(runs)) }
        if suite.hasPrefix("batch-size") { result.append(batchSize(runs, epochs: epochs, trainingExamples: trainingExamples)) }
        if suite.hasPrefix("activations") { result.append(activations(runs, epochs: epochs)) }
        if suite.hasPrefix("optimizers-") { result += adagradStall(runs, epochs: epochs) }
        return result.compactMap { $0 }
    }

    /// How the evidence reads in a reason: the difference, its interval and p, or why there is no test.
    static func evidenceText(_ e: PairedEvidence, scale: Double = 100, unit: String = " points") -> String {
        e.summary(scale: scale, unit: unit)
    }

    // MARK: depth

    static func depth(_ runs: Table) -> Section? {
        guard runs.has("layers"), runs.has("final_test_acc") else { return nil }
        let finished = runs.finished
        let groups = runs.groups(of: finished, by: "layers", value: "final_test_acc")
        let shallow = groups.filter { !$0.key.contains("-") }, deep = groups.filter { $0.key.split(separator: "-").count == 2 }
        guard let one = best(shallow, higher: true), let two = best(deep, higher: true) else { return nil }
        var body = "| hidden layers | test accuracy | 95% interval | seeds |\n|---|---:|---|---:|\n"
        for key in groups.keys.sorted() {
            let values = groups[key]!
            let interval = Statistics.bootstrapInterval(values, seed: fnv1a64(key)).map { "[\(fixed($0.low * 100)), \(fixed($0.high * 100))]" } ?? "—"
            body += "| \(key) | \(percent(values)) | \(interval) | \(values.count) |\n"
        }
        let evidence = PairedEvidence.compare("two layers − one layer", better: runs.bySeed(finished.filter { runs.value($0, "layers") == two.key }, "final_test_acc"),
                                              other: runs.bySeed(finished.filter { runs.value($0, "layers") == one.key }, "final_test_acc"))
        body += "\nBest with one hidden layer: \(one.key), \(percent(one.value)); with two: \(two.key), \(percent(two.value)). "
        body += "Test accuracy, paired by seed: \(evidenceText(evidence)).\n"
        let (a, b) = (mean(one.value), mean(two.value))
        var reason: String
        switch evidence.outcome {
        case .holds: reason = "two hidden layers beat one by \(points(b - a)) (\(evidenceText(evidence)))"
        case .refuted: reason = "one hidden layer beat two by \(points(a - b)) (\(evidenceText(evidence)))"
        case .inconclusive: reason = "the difference, \(points(b - a)), is not distinguishable from zero (\(evidenceText(evidence)))"
        }
        // The stated levels are MNIST's; on another dataset only the ordering is checked.
        let datasets = runs.ordered(finished.map { runs.value($0, "problem") })
        guard datasets == ["mnist"] else {
            reason += "; the 97% and 98% levels are MNIST's and are not checked on \(datasets.joined(separator: ", "))."
            return Section(title: "depth", claim: "Two hidden layers beat one hidden layer with the same total number of neurons (on MNIST: about 98% against 97% test accuracy).",
                           body: body, verdict: evidence.outcome, reason: reason)
        }
        // The levels: within half a point of the stated value, or above it.
        reason += ". The stated levels: one layer \(fixed(a * 100))% (about 97% stated; \(a >= 0.965 ? "reached" : "not reached")), "
        reason += "two layers \(fixed(b * 100))% (about 98% stated; \(b >= 0.975 ? "reached" : "not reached"))."
        return Section(title: "depth", claim: "One hidden layer of a few hundred neurons reaches about 97% test accuracy on MNIST; two hidden layers with the same total about 98%.",
                       body: body, verdict: evidence.outcome, reason: reason)
    }

    // MARK: regularization

    static func regularization(_ runs: Table) -> Section? {
        guard runs.has("final_train_acc"), runs.has("final_val_acc") else { return nil }
        let rows = runs.finished.filter { runs.value($0, "type") == "network" }
        let problems = runs.ordered(rows.map { runs.value($0, "problem") })
        guard let baseline = problems.first(where: { $0 == "none" }) ?? problems.first, problems.count > 1 else { return nil }
        struct Line {
            var problem: String; var train: Double; var val: Double; var test: Double?; var repeats: Int
            var gaps: [Int: Double]  // train − validation accuracy, by seed
            var gap: Double { train - val }
        }
        let lines: [Line] = problems.compactMap { problem in
            let mine = rows.filter { runs.value($0, "problem") == problem }
            var gaps: [Int: Double] = [:], train: [Double] = [], val: [Double] = []
            for row in mine {
                guard let t = runs.number(row, "final_train_acc"), let v = runs.number(row, "final_val_acc") else { continue }
                gaps[Int(runs.value(row, "repeat")) ?? 0] = t - v
                train.append(t)
                val.append(v)
            }
            guard !train.isEmpty else { return nil }
            let test = mine.compactMap { runs.number($0, "final_test_acc") }
            return Line(problem: problem, train: mean(train), val: mean(val), test: test.isEmpty ? nil : mean(test), repeats: train.count, gaps: gaps)
        }
        guard let base = lines.first(where: { $0.problem == baseline }) else { return nil }
        let others = lines.filter { $0.problem != baseline }
        // Narrower gap is better: the difference is the baseline's gap minus the regularizer's.
        let family = PairedEvidence.adjusted(others.map { o in
            PairedEvidence.compare("`\(o.problem)` narrows the gap by", better: o.gaps.mapValues { -$0 }, other: base.gaps.mapValues { -$0 })
        })
        var body = "| problem | train acc | validation acc | gap (points) | narrower than `\(baseline)` by (points, 95% interval, Holm-adjusted p) | test acc | seeds |\n|---|---:|---:|---:|---|---:|---:|\n"
        for l in lines {
            let e = family.first { $0.label.hasPrefix("`\(l.problem)`") }
            let comparison = e.map { e in e.summary(scale: 100).components(separatedBy: ": ").dropFirst().joined(separator: ": ") } ?? "—"
            body += "| \(l.problem) | \(fixed(l.train * 100))% | \(fixed(l.val * 100))% | \(fixed(l.gap * 100)) | \(comparison) | \(l.test.map { fixed($0 * 100) + "%" } ?? "—") | \(l.repeats) |\n"
        }
        body += "\nTraining accuracy is the running accuracy over the last epoch's batches, with dropout and augmentation active, "
        body += "so for those two it understates how well the weights fit the training set; validation and test accuracy are measured without them. "
        body += "Without regularization (`\(baseline)`) training accuracy exceeds validation accuracy by \(points(base.gap)). "
        body += "Each regularizer's gap is compared with `\(baseline)`'s seed by seed (Wilcoxon signed-rank, Holm's adjustment over the \(others.count)).\n"
        if let baseTest = base.test {
            let better = others.filter { ($0.test ?? 0) > baseTest }.map(\.problem)
            body += better.isEmpty ? "None of the regularized runs beat its mean test accuracy.\n"
                : "Mean test accuracy above `\(baseline)`: \(better.map { "`\($0)`" }.joined(separator: ", ")).\n"
        }
        let verdict = PairedEvidence.combined(family.map(\.outcome))
        func names(_ outcome: Verdict) -> [String] { zip(others, family).filter { $0.1.outcome == outcome }.map { "`\($0.0.problem)`" } }
        var parts: [String] = []
        if !names(.holds).isEmpty { parts.append("narrower gap: \(names(.holds).joined(separator: ", "))") }
        if !names(.refuted).isEmpty { parts.append("wider gap: \(names(.refuted).joined(separator: ", "))") }
        if !names(.inconclusive).isEmpty { parts.append("not distinguishable from `\(baseline)`: \(names(.inconclusive).joined(separator: ", "))") }
        let reason = (verdict == .holds ? "every regularizer narrowed the train/validation gap" : parts.joined(separator: "; ")) + "."
        return Section(title: "regularization", claim: "L1 and L2 penalties, dropout, early stopping and data augmentation each reduce overfitting: the gap between training and validation accuracy.",
                       body: body, verdict: verdict, reason: reason)
    }

    // MARK: batch size

    static func batchSize(_ runs: Table, epochs: Table, trainingExamples: [String: Int]) -> Section? {
        guard runs.has("batch_size"), runs.has("final_train_loss") else { return nil }
        let rows = runs.finished.filter { runs.number($0, "batch_size") != nil }
        guard let problem = rows.first.map({ runs.value($0, "problem") }) else { return nil }
        let mine = rows.filter { runs.value($0, "problem") == problem }
        let sizes = Set(mine.compactMap { runs.number($0, "batch_size") }).sorted()
        guard sizes.count > 1 else { return nil }
        let target = runs.header.first { $0.hasPrefix("to_train_loss_") }
        let n = trainingExamples[problem]
        // Seconds to the target per run (nil: not reached), from epochs.csv's clock.
        func secondsToTarget(_ run: [String]) -> Double? {
            guard let target, let k = runs.number(run, target), k >= 1 else { return nil }
            let epochRows = epochs.rows(ofRun: runs.value(run, "run_id"))
            guard epochRows.count >= Int(k) else { return nil }
            return epochs.number(epochRows[Int(k) - 1], "seconds")
        }
        struct Line { var b: Double; var lr: String; var secondsPerEpoch: Double?; var firstLoss: Double?; var finalLoss: Double
                      var seconds: [Int: Double?]; var reached: Int; var repeats: Int
                      var meanSeconds: Double? { let r = seconds.values.compactMap { $0 }; return r.isEmpty ? nil : Statistics.mean(r) } }
        var lines: [Line] = []
        for b in sizes {
            // The learning rate with the lowest mean final training loss at this batch size.
            let groups = runs.groups(of: mine.filter { runs.number($0, "batch_size") == b }, by: "lr", value: "final_train_loss")
            guard let chosen = best(groups, higher: false) else { continue }
            let members = mine.filter { runs.number($0, "batch_size") == b && runs.value($0, "lr") == chosen.key }
            // epochs.csv's seconds count from the start of the run, at the end of each epoch.
            let perRun = members.map { epochs.rows(ofRun: runs.value($0, "run_id")) }
            let perEpoch = perRun.compactMap { rows in rows.last.flatMap { epochs.number($0, "seconds") }.map { $0 / Double(rows.count) } }
            let firstLosses = perRun.compactMap { $0.first.flatMap { epochs.number($0, "train_loss") } }
            var seconds: [Int: Double?] = [:]
            for run in members { seconds[Int(runs.value(run, "repeat")) ?? 0] = secondsToTarget(run) }
            lines.append(Line(b: b, lr: chosen.key, secondsPerEpoch: perEpoch.isEmpty ? nil : mean(perEpoch),
                              firstLoss: firstLosses.isEmpty ? nil : mean(firstLosses), finalLoss: mean(chosen.value),
                              seconds: seconds, reached: seconds.values.compactMap { $0 }.count, repeats: members.count))
        }
        guard lines.count > 1 else { return nil }
        let full = n.map(Double.init) ?? sizes.last!
        func kind(_ b: Double) -> String { b <= 1 ? "stochastic" : (b >= full ? "full batch" : "mini-batch") }
        let targetLabel = target.map { "s to train loss ≤ \($0.dropFirst("to_train_loss_".count))" } ?? "s to target"
        var body = "| batch size | kind | best lr | updates per epoch | s per epoch | train loss after epoch 1 | final train loss | \(targetLabel) (seeds reaching it) |\n"
        body += "|---:|---|---:|---:|---:|---:|---:|---:|\n"
        for l in lines {
            let updates = n.map { String(Int((Double($0) / l.b).rounded(.up))) } ?? "—"
            body += "| \(ReportWriter.number(l.b)) | \(kind(l.b)) | \(l.lr) | \(updates) | \(l.secondsPerEpoch.map(fixed) ?? "—") | "
            body += "\(l.firstLoss.map { String(format: "%.4g", $0) } ?? "—") | \(String(format: "%.4g", l.finalLoss)) | "
            body += (l.meanSeconds.map { fixed($0) + " (\(l.reached)/\(l.repeats))" } ?? "not reached (0/\(l.repeats))") + " |\n"
        }
        // A seed that never reached the target counts as slower than every time observed.
        let slowest = lines.flatMap { $0.seconds.values.compactMap { $0 } }.max() ?? 1
        func score(_ l: Line) -> [Int: Double] { l.seconds.mapValues { -($0 ?? 2 * slowest + 1) } }
        // The fastest mini-batch size by the median over seeds: one run slowed by another
        // process on the machine must not decide which size is compared.
        func medianSeconds(_ l: Line) -> Double { -Statistics.median(Array(score(l).values)) }
        let minis = lines.filter { kind($0.b) == "mini-batch" }, rest = lines.filter { kind($0.b) != "mini-batch" }
        guard let fastest = minis.min(by: { medianSeconds($0) < medianSeconds($1) }), !rest.isEmpty, target != nil else {
            body += "\nNo mini-batch size, or no other kind, or no target loss in this suite: nothing to compare.\n"
            return Section(title: "batch size", claim: Self.batchClaim, body: body, verdict: .inconclusive, reason: "the suite does not compare a mini-batch size with stochastic or full-batch descent on a target loss.")
        }
        let family = PairedEvidence.adjusted(rest.map { l in
            PairedEvidence.compare("b = \(ReportWriter.number(fastest.b)) faster than b = \(ReportWriter.number(l.b)) by", better: score(fastest), other: score(l))
        })
        body += "\nThe fastest mini-batch size (by the median over seeds), b = \(ReportWriter.number(fastest.b)), against the others, seed by seed, in seconds to the target "
        body += "(a seed that never reached it counts as slower than any time observed; Wilcoxon signed-rank, Holm's adjustment):\n\n"
        // A difference against a seed that never reached the target is not a time: say so.
        for (l, e) in zip(rest, family) {
            let misses = l.repeats - l.reached + fastest.repeats - fastest.reached
            if misses == 0 {
                body += "- " + e.summary(scale: 1, unit: " s") + "\n"
            } else {
                body += "- b = \(ReportWriter.number(fastest.b)) against b = \(ReportWriter.number(l.b)): b = \(ReportWriter.number(l.b)) reached it on \(l.reached) of \(l.repeats) seeds, "
                body += "b = \(ReportWriter.number(fastest.b)) on \(fastest.reached) of \(fastest.repeats)"
                body += e.p.map { String(format: "; Wilcoxon p = %.3g over %d seeds", $0, e.pairs) } ?? " (\(e.note ?? "no test"))"
                body += "\n"
            }
        }
        let verdict = PairedEvidence.combined(family.map(\.outcome))
        let reason: String
        switch verdict {
        case .holds: reason = "a mini-batch size (b = \(ReportWriter.number(fastest.b))) reached the target training loss soonest, faster than every stochastic and full-batch run compared."
        case .refuted: reason = "b = \(ReportWriter.number(fastest.b)), the fastest mini-batch size, was slower than " + zip(rest, family).filter { $0.1.outcome == .refuted }.map { "b = \(ReportWriter.number($0.0.b)) (\(kind($0.0.b)))" }.joined(separator: ", ") + "."
        case .inconclusive: reason = "b = \(ReportWriter.number(fastest.b)) was not distinguishably faster than " + zip(rest, family).filter { $0.1.outcome != .holds }.map { "b = \(ReportWriter.number($0.0.b)) (\(kind($0.0.b)))" }.joined(separator: ", ") + "."
        }
        return Section(title: "batch size", claim: Self.batchClaim, body: body, verdict: verdict, reason: reason)
    }

    static let batchClaim = "Full-batch descent makes one update per epoch and stochastic descent (b = 1) one per example, slow in wall time per epoch; mini-batches combine many updates per epoch with fast vectorized epochs, and reach a low training loss soonest."

    // MARK: helpers

    static func mean(_ values: [Double]) -> Double { Statistics.mean(values) }

    /// The sample standard deviation, 0 for fewer than two runs (the claims' convention).
    static func standardDeviation(_ values: [Double]) -> Double {
        values.count > 1 ? Statistics.standardDeviation(values) : 0
    }

    static func best(_ groups: [String: [Double]], higher: Bool) -> (key: String, value: [Double])? {
        groups.filter { !$0.value.isEmpty }.max { a, b in
            let (x, y) = (mean(a.value), mean(b.value))
            return x != y ? (higher ? x < y : x > y) : a.key > b.key
        }.map { ($0.key, $0.value) }
    }

    static func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
    static func percent(_ values: [Double]) -> String { "\(fixed(mean(values) * 100))% ± \(fixed(standardDeviation(values) * 100))" }
    static func points(_ difference: Double) -> String { "\(fixed(difference * 100)) points" }
}

/// What the claim checks need beyond field access.
extension CSVTable {
    /// Runs that finished (not diverged or failed).
    var finished: [[String]] { rows.filter { RunStatus.isUsable(value($0, "status")) } }

    /// Values of `value` grouped by the text of `key`, non-numbers left out.
    func groups(of rows: [[String]], by key: String, value name: String) -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for row in rows { if let v = number(row, name) { result[value(row, key), default: []].append(v) } }
        return result
    }

    /// Distinct values in first-seen order.
    func ordered(_ values: [String]) -> [String] {
        var seen: Set<String> = [], result: [String] = []
        for v in values where seen.insert(v).inserted { result.append(v) }
        return result
    }
}
