import Foundation

/// The report sections of a suite with a tuning protocol: per problem, what tuning tried
/// and selected, with each optimizer's tuning curve; across problems, a performance profile.
public enum ProtocolReport {
    /// Values of τ the performance profile is read at.
    public static let taus: [Double] = [1, 1.25, 1.5, 2, 3, 4]

    /// What tuning did on one problem: per optimizer, its trials, the selected one and the
    /// expected best selection metric after k of its K trials (exact over random orderings).
    public static func tuningSection(_ table: RunsTable, problem: String, type: RunRecord.ProblemType, tuning: TuningProtocol) -> String {
        let metric = type == .surface ? TuningProtocol.surfaceMetric : type == .deepobs ? TuningProtocol.deepOBSMetric : tuning.selectOn
        let higher = type == .network ? TuningProtocol.higherIsBetter(metric) : false
        let trials = table.records.filter { $0.problem == problem && $0.phase == .tune }
        guard !trials.isEmpty else { return "" }
        var optimizers: [String] = []
        for run in trials where !optimizers.contains(run.optimizer + "|" + run.convention) { optimizers.append(run.optimizer + "|" + run.convention) }
        let how = tuning.sampler == .random ? "drawn at random (log ranges log-uniformly, lists uniformly; sampler seed \(tuning.seed))"
            : "from the grid" + (tuning.budget.map { " (a seeded subset of at most \($0))" } ?? "")
        var text = "\nTuning protocol: each optimizer tried its settings \(how) on one seed, and the trial with the best `\(metric)` "
        text += "(\(higher ? "highest" : "lowest")" + (type == .surface ? "; a surface has no validation set" : type == .deepobs ? "; as DeepOBS selects, the problem having no validation set" : "; validation only, never test") + ") was rerun on \(tuning.confirmSeeds) fresh seeds; the ranking above is of those confirmation runs.\n\n"
        text += "| optimizer | trials | diverged or failed | selected trial | selected setting | tuning \(metric) |\n|---|---:|---:|---:|---|---:|\n"
        var curves: [(String, [Double])] = []
        for key in optimizers {
            let mine = trials.filter { $0.optimizer + "|" + $0.convention == key }.sorted { ($0.trial ?? 0) < ($1.trial ?? 0) }
            let confirmed = table.records.first { $0.problem == problem && $0.phase == .confirm && $0.optimizer + "|" + $0.convention == key }
            let selected = confirmed.flatMap { c in mine.first { $0.trial == c.trial } }
            let bad = mine.filter { !$0.isUsable }.count
            let name = key.replacingOccurrences(of: "|", with: " (") + ")"
            text += "| \(name) | \(mine.count) | \(bad) | \(selected?.trial.map { "\($0 + 1)" } ?? "—") | "
            text += "\(selected.map { table.settingText($0) } ?? "none usable") | \(selected?.metric(metric).map { String(format: "%.6g", $0) } ?? "—") |\n"
            // A diverged or failed trial is the worst outcome: accuracy 0, loss +∞.
            let scores = mine.map { run -> Double in
                guard run.isUsable, let value = run.metric(metric) else { return higher ? 0 : .infinity }
                return value
            }
            if scores.count >= 2 { curves.append((name, Statistics.tuningCurve(scores, higherIsBetter: higher))) }
        }
        guard !curves.isEmpty else { return text }
        let largest = curves.map(\.1.count).max()!
        var ks = sequence(first: 1) { $0 * 2 }.prefix { $0 < largest }.map { $0 }
        ks.append(largest)
        text += "\nTuning curves: the expected best `\(metric)` after k of the K trials, over every order the trials could have come in "
        text += "(a diverged or failed trial counts as \(higher ? "0" : "+∞")). A curve that is flat early needs little tuning.\n\n"
        text += "| optimizer |" + ks.map { " k = \($0) |" }.joined() + "\n|---|" + String(repeating: "---:|", count: ks.count) + "\n"
        for (name, curve) in curves {
            text += "| \(name) |" + ks.map { k in k <= curve.count ? " " + format(curve[k - 1]) + " |" : " — |" }.joined() + "\n"
        }
        return text
    }

    /// The performance profile of the confirmation runs across the suite's problems: for
    /// each optimizer and τ, the fraction of problems on which its mean epochs (steps) to the
    /// problem's first target is within τ times the best optimizer's. A target not reached
    /// by every confirmation seed counts as never within. Nil when no problem has a target.
    public static func performanceProfile(_ table: RunsTable, targets: [String: [String]]) -> String? {
        var costs: [String: [String: Double]] = [:]  // problem → optimizer → mean epochs
        var names: [String] = []
        var used: [(String, String)] = []
        for problem in table.problems {
            guard let column = targets[problem]?.sorted().first else { continue }
            let confirmed = table.records.filter { $0.problem == problem && $0.phase == .confirm }
            guard !confirmed.isEmpty else { continue }
            used.append((problem, String(column.dropFirst(3))))
            for run in table.records where run.problem == problem {
                let name = run.optimizer + " (" + run.convention + ")"
                if !names.contains(name) { names.append(name) }
            }
            for name in names {
                let mine = confirmed.filter { $0.optimizer + " (" + $0.convention + ")" == name }
                let reached = mine.compactMap { $0.isUsable ? $0.reached[column] : nil }
                costs[problem, default: [:]][name] = !mine.isEmpty && reached.count == mine.count
                    ? Statistics.mean(reached.map(Double.init)) : .infinity
            }
        }
        guard !used.isEmpty else { return nil }
        var text = "\n## Performance profile\n\n"
        text += "Across the \(used.count) problem\(used.count == 1 ? "" : "s") with a target ("
        text += used.map { "`\($0.0)`: \($0.1)" }.joined(separator: ", ")
        text += "): the fraction of problems on which an optimizer's mean epochs or steps to the target, over its confirmation seeds, is within τ times the best optimizer's "
        text += "(a target missed by any seed counts as never within).\n\n"
        text += "| optimizer |" + taus.map { " τ = \(ReportWriter.number($0)) |" }.joined() + "\n|---|" + String(repeating: "---:|", count: taus.count) + "\n"
        for name in names {
            let fractions = taus.map { tau -> Double in
                let within = used.filter { problem, _ in
                    let row = costs[problem] ?? [:]
                    guard let best = row.values.min(), best.isFinite, let mine = row[name], mine.isFinite else { return false }
                    return mine <= tau * best
                }
                return Double(within.count) / Double(used.count)
            }
            text += "| \(name) |" + fractions.map { String(format: " %.2f |", $0) }.joined() + "\n"
        }
        if used.count < 3 { text += "\nWith \(used.count) problem\(used.count == 1 ? "" : "s") the profile is coarse: each fraction is 0 or \(used.count == 1 ? "1" : "a multiple of 1/\(used.count)").\n" }
        return text
    }

    static func format(_ value: Double) -> String { value.isFinite ? String(format: "%.4g", value) : "∞" }
}
