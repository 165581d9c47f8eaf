import Foundation

/// What a comparison with the top-ranked optimizer concluded (the `verdict` column of
/// summary.csv).
public enum Verdict: String, Sendable, CaseIterable {
    /// Ranked first.
    case best
    /// Not distinguishable from the best: equal within tolerance (deterministic runs), or a
    /// paired test over seeds that does not separate them at 95% after Holm's adjustment.
    case tied
    /// Distinguishably worse than the best, by the same rules.
    case worse
    /// No setting of this optimizer gave a usable run: at least one diverged.
    case diverged
    /// No setting gave a usable run and none diverged: every run failed.
    case failed
}

/// The end-of-run summary, computed from runs.csv alone: per problem, each optimizer at
/// its best setting, ranked, with the evidence (seeds, interval, divergences) and a verdict.
///
/// Rules (README, "Rankings and verdicts"):
/// - Only usable runs (status `ok` or `stopped_early`) are ranked. An optimizer without a
///   usable run at any setting is listed after the ranked ones, with no metric and no best
///   setting, as diverged (or failed) at every setting.
/// - Networks rank by the final validation accuracy (by the final training loss when there
///   is no validation set), never by a test metric.
/// - Surfaces with targets rank by the steps to the first target (reached before not
///   reached), then by the final loss; final losses within ``lossTolerance`` of each other
///   count as equal. A surface without gradient noise is deterministic: one run per
///   setting, compared exactly.
/// - With repeats (networks; surfaces with noise), each optimizer is compared with the top
///   one, paired by seed, by the Wilcoxon signed-rank test, Holm-adjusted over the
///   optimizers: `worse` below 5%, else `tied`; with fewer than 6 paired seeds (where the
///   exact test cannot reach 5%) there is no test and no verdict.
public enum SuiteSummary {
    /// Final losses of surfaces closer than this count as equal.
    public static let lossTolerance = 1e-9
    /// Paired seeds needed for a test.
    public static let minimumSeeds = 3
    /// The significance level of verdicts, after Holm's adjustment.
    public static let level = 0.05

    public struct Entry: Sendable {
        public var optimizer: String
        public var convention: String
        /// 1 for the first; equal keys share a rank. Nil for optimizers without a usable run.
        public var rank: Int?
        /// The best setting, as `key=value` pairs of lr and the swept columns (empty when unranked).
        public var setting: String
        /// The ranked metric of each usable run at the best setting.
        public var values: [Double]
        public var mean: Double
        public var standardDeviation: Double
        public var median: Double
        public var interval: (low: Double, high: Double)?
        /// Runs at the best setting.
        public var repeats: Int
        /// Diverged runs of this optimizer on this problem, over all its settings, and all its runs.
        public var diverged: Int
        public var runCount: Int
        public var verdict: Verdict?
        /// Holm-adjusted p-value of the comparison with the best, when there was a test.
        public var pValue: Double?
        /// Why there is no verdict, or how it was reached.
        public var note: String
        /// Target column → mean epochs (or steps) over the runs that reached it, and how many did.
        public var targets: [(column: String, mean: Double?, reached: Int)]
        /// The runs of the best setting (one per repeat and start); empty when unranked.
        public var runIDs: [String]
        /// A run to draw for an unranked optimizer (its first diverged one), if any.
        public var exampleRunID: String?
        /// Repeat index of each value in `values` (for pairing by seed).
        var repeatIndices: [Int]
        var key: RankKey
    }

    public struct ProblemRanking: Sendable {
        public var problem: String
        public var type: RunRecord.ProblemType
        /// The metric ranked: `final_val_acc` (higher is better), `final_train_loss` or `final_loss` (lower).
        public var metric: String
        public var higherIsBetter: Bool
        /// One run per setting, nothing random: comparisons are exact.
        public var deterministic: Bool
        /// Ranked entries first, then the unranked.
        public var entries: [Entry]
    }

    /// What orders settings and optimizers: steps to target (reached first, fewer first),
    /// then the metric (oriented so that smaller is better).
    struct RankKey: Sendable {
        var steps: Double?
        var score: Double
    }

    /// Rankings from the rows of runs.csv (header first). `targets` lists each problem's
    /// target columns (default: every column that problem's runs filled at least once).
    public static func rank(_ rows: [[String]], targets: [String: [String]]? = nil, tuning: TuningProtocol? = nil) -> [ProblemRanking] {
        guard let table = try? RunsTable(rows: rows) else { return [] }
        return rank(table, targets: targets, tuning: tuning)
    }

    /// Under a tuning protocol (`tuning`), each optimizer is ranked on its confirmation runs
    /// and networks by the protocol's `report_on` metric; an optimizer without confirmation
    /// runs (no tuning trial ended normally) is listed from its tuning runs, unranked.
    public static func rank(_ table: RunsTable, targets: [String: [String]]? = nil, tuning: TuningProtocol? = nil) -> [ProblemRanking] {
        table.problems.map { problem in
            var runs = table.records.filter { $0.problem == problem }
            if tuning != nil {
                let confirmed = Set(runs.filter { $0.phase == .confirm }.map { $0.optimizer + "|" + $0.convention })
                runs = runs.filter { $0.phase == .confirm || !confirmed.contains($0.optimizer + "|" + $0.convention) }
            }
            let type = runs[0].type
            let metric: String, higher: Bool
            if type == .deepobs {
                (metric, higher) = (TuningProtocol.deepOBSMetric, false)
            } else if let tuning, type == .network {
                (metric, higher) = (tuning.reportOn, TuningProtocol.higherIsBetter(tuning.reportOn))
            } else if type == .surface {
                (metric, higher) = ("final_loss", false)
            } else if runs.contains(where: { $0.metric("final_val_acc") != nil }) {
                (metric, higher) = ("final_val_acc", true)
            } else {
                (metric, higher) = ("final_train_loss", false)
            }
            let targetColumns = targets?[problem] ?? table.targetColumns.filter { c in runs.contains { $0.reached[c] != nil } }
            let stepsColumn = type == .surface ? targetColumns.first : nil

            // Settings: optimizer, convention, swept values and start; members in file order.
            var groups: [String: [RunRecord]] = [:], order: [String] = []
            for run in runs {
                let key = [run.optimizer, run.convention, table.settingText(run), run.start.map { "\($0)" } ?? ""].joined(separator: "|")
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(run)
            }
            let deterministic = type == .surface && groups.values.allSatisfy { $0.count == 1 }
            let bestLoss = type == .surface ? runs.filter(\.isUsable).compactMap { $0.metric(metric) }.min() : nil
            func oriented(_ value: Double) -> Double {
                if let bestLoss, value - bestLoss <= lossTolerance { return bestLoss }
                return higher ? -value : value
            }
            func key(_ members: [RunRecord]) -> RankKey? {
                let usable = members.filter { $0.isUsable && $0.metric(metric) != nil }
                guard !usable.isEmpty else { return nil }
                let score = oriented(Statistics.mean(usable.compactMap { $0.metric(metric) }))
                var steps: Double?
                if let stepsColumn, usable.allSatisfy({ $0.reached[stepsColumn] != nil }) {
                    steps = Statistics.mean(usable.compactMap { $0.reached[stepsColumn].map(Double.init) })
                }
                return RankKey(steps: steps, score: score)
            }

            // Each optimizer's best setting: settings whose runs are all usable first.
            var optimizers: [String] = []
            var candidates: [String: [(members: [RunRecord], key: RankKey, clean: Bool)]] = [:]
            var all: [String: [RunRecord]] = [:]
            for groupKey in order {
                let members = groups[groupKey]!
                let name = members[0].optimizer + "|" + members[0].convention
                if all[name] == nil { optimizers.append(name) }
                all[name, default: []] += members
                if let k = key(members) { candidates[name, default: []].append((members, k, members.allSatisfy(\.isUsable))) }
            }
            var entries: [Entry] = optimizers.map { name in
                let mine = all[name]!
                let diverged = mine.filter { $0.status == .diverged }.count
                guard let options = candidates[name], let chosen = options.enumerated().min(by: { a, b in
                    if a.element.clean != b.element.clean { return a.element.clean }
                    let c = compare(a.element.key, b.element.key)
                    return c != 0 ? c < 0 : a.offset < b.offset
                })?.element else {
                    let verdict: Verdict = diverged > 0 ? .diverged : .failed
                    let settings = Set(mine.map { table.settingText($0) + "|" + ($0.start.map { "\($0)" } ?? "") }).count
                    return Entry(optimizer: mine[0].optimizer, convention: mine[0].convention, rank: nil, setting: "", values: [],
                                 mean: .nan, standardDeviation: .nan, median: .nan, interval: nil, repeats: 0, diverged: diverged,
                                 runCount: mine.count, verdict: verdict, pValue: nil,
                                 note: "\(verdict == .diverged ? "diverged" : "failed") at every setting (\(settings)/\(settings))",
                                 targets: [], runIDs: [], exampleRunID: mine.first { $0.status == .diverged }?.runID ?? mine.first?.runID,
                                 repeatIndices: [], key: RankKey(steps: nil, score: .infinity))
                }
                let usable = chosen.members.filter { $0.isUsable && $0.metric(metric) != nil }
                let values = usable.compactMap { $0.metric(metric) }
                let seed = fnv1a64(problem + "|" + name)
                let targetSummary = targetColumns.map { column -> (String, Double?, Int) in
                    let reached = chosen.members.compactMap { $0.reached[column].map(Double.init) }
                    return (column, reached.isEmpty ? nil : Statistics.mean(reached), reached.count)
                }
                return Entry(optimizer: chosen.members[0].optimizer, convention: chosen.members[0].convention, rank: nil,
                             setting: table.settingText(chosen.members[0]), values: values, mean: Statistics.mean(values),
                             standardDeviation: Statistics.standardDeviation(values), median: Statistics.median(values),
                             interval: values.count >= minimumSeeds ? Statistics.bootstrapInterval(values, seed: seed) : nil,
                             repeats: chosen.members.count,
                             diverged: diverged, runCount: mine.count, verdict: nil, pValue: nil, note: "",
                             targets: targetSummary, runIDs: chosen.members.map(\.runID), exampleRunID: chosen.members.first?.runID,
                             repeatIndices: usable.map(\.repeatIndex), key: chosen.key)
            }
            // Ranked entries in order (stable), then the unranked in their order.
            let rankedIndices = entries.indices.filter { entries[$0].verdict == nil }.sorted { a, b in
                let c = compare(entries[a].key, entries[b].key)
                return c != 0 ? c < 0 : a < b
            }
            let unranked = entries.indices.filter { entries[$0].verdict != nil }
            var ordered = rankedIndices.map { entries[$0] } + unranked.map { entries[$0] }
            for i in ordered.indices where ordered[i].verdict == nil {
                ordered[i].rank = i > 0 && compare(ordered[i].key, ordered[i - 1].key) == 0 ? ordered[i - 1].rank : i + 1
            }
            assignVerdicts(&ordered, deterministic: deterministic, higherIsBetter: higher)
            entries = ordered
            return ProblemRanking(problem: problem, type: type, metric: metric, higherIsBetter: higher,
                                  deterministic: deterministic, entries: entries)
        }
    }

    /// −1, 0 or 1: reached a target (fewer steps first), then the oriented score.
    static func compare(_ a: RankKey, _ b: RankKey) -> Int {
        switch (a.steps, b.steps) {
        case (let x?, let y?) where x != y: return x < y ? -1 : 1
        case (.some, nil): return -1
        case (nil, .some): return 1
        default: return a.score == b.score ? 0 : (a.score < b.score ? -1 : 1)
        }
    }

    /// best / tied / worse for the ranked entries (the unranked keep diverged or failed).
    static func assignVerdicts(_ entries: inout [Entry], deterministic: Bool, higherIsBetter: Bool) {
        guard let top = entries.first, top.rank != nil else { return }
        entries[0].verdict = .best
        let ranked = entries.indices.dropFirst().filter { entries[$0].rank != nil }
        if deterministic {
            for i in ranked {
                entries[i].verdict = compare(entries[i].key, top.key) == 0 ? .tied : .worse
                entries[i].note = "one deterministic run: compared exactly"
            }
            entries[0].note = "one deterministic run"
            return
        }
        // Paired by repeat index (the same seed: the same initial weights and batch order).
        var tested: [(index: Int, p: Double)] = []
        for i in ranked {
            let mine = Dictionary(zip(entries[i].repeatIndices, entries[i].values), uniquingKeysWith: { a, _ in a })
            let best = Dictionary(zip(top.repeatIndices, top.values), uniquingKeysWith: { a, _ in a })
            let shared = mine.keys.filter { best[$0] != nil }.sorted()
            // An exact two-sided test on n pairs cannot go below 2/2ⁿ: with fewer than 6 it
            // could never say `worse`, and `tied` would read as evidence it is not.
            guard shared.count >= PairedEvidence.minimumPairs else {
                entries[i].note = "no test: \(shared.count) paired seed\(shared.count == 1 ? "" : "s") (\(PairedEvidence.minimumPairs) needed for a test at 5%)"
                continue
            }
            // Oriented so that a positive difference favours the best.
            let differences = shared.map { higherIsBetter ? best[$0]! - mine[$0]! : mine[$0]! - best[$0]! }
            if let test = Statistics.wilcoxonSignedRank(differences) {
                tested.append((i, test.p))
            } else {
                entries[i].verdict = .tied
                entries[i].note = "identical on all \(shared.count) paired seeds"
            }
        }
        let adjusted = Statistics.holm(tested.map(\.p))
        for (k, test) in tested.enumerated() {
            let i = test.index
            let favoursBest = higherIsBetter ? top.mean > entries[i].mean : top.mean < entries[i].mean
            entries[i].pValue = adjusted[k]
            entries[i].verdict = adjusted[k] < level && favoursBest ? .worse : .tied
            entries[i].note = "Wilcoxon signed-rank over \(Set(entries[i].repeatIndices).intersection(top.repeatIndices).count) paired seeds, Holm-adjusted p = \(String(format: "%.3g", adjusted[k]))"
        }
        if top.values.count < PairedEvidence.minimumPairs { entries[0].note = "\(top.values.count) seed\(top.values.count == 1 ? "" : "s"): too few for a test" }
    }

    /// The columns of runs.csv that describe a setting: `lr` and every swept key.
    public static func settingColumns(of header: [String]) -> [String] {
        RunsTable.settingColumns(of: header)
    }

    /// A setting's value for people: whole numbers without their ".0" (batch_size=32, l2=0);
    /// runs.csv keeps its own spelling.
    public static func display(_ value: String) -> String {
        guard value.hasSuffix(".0"), let number = Double(value), number == number.rounded(), abs(number) < 1e15 else { return value }
        return String(value.dropLast(2))
    }

    /// The console table: one block per problem, its columns aligned.
    public static func text(_ rankings: [ProblemRanking]) -> String {
        var text = ""
        for ranking in rankings {
            let direction = ranking.higherIsBetter ? "higher" : "lower"
            let basis = ranking.type == .surface && ranking.entries.contains(where: { !$0.targets.isEmpty })
                ? "steps to \(ranking.entries.first?.targets.first?.column.dropFirst(3) ?? "target"), then \(ranking.metric)" : ranking.metric
            text += "\n\(ranking.problem): ranked by \(basis) (\(direction) is better)"
            text += ranking.deterministic ? "; deterministic, one run per setting\n" : "; mean ± std over seeds, 95% bootstrap interval\n"
            var rows: [[String]] = []
            for e in ranking.entries {
                var row = [e.rank.map { "\($0)." } ?? "–", "\(e.optimizer) (\(e.convention))"]
                if e.rank == nil {
                    row += ["—", "", "", e.verdict?.rawValue ?? "", e.note]
                } else {
                    let score = ranking.deterministic ? String(format: "%.6g", e.mean) : String(format: "%.6g ± %.2g", e.mean, e.standardDeviation)
                    let interval = e.interval.map { String(format: "[%.4g, %.4g]", $0.low, $0.high) } ?? ""
                    let verdict = e.verdict?.rawValue ?? "no test"
                    row += [score, interval, "n=\(e.values.count)\(e.diverged > 0 ? ", \(e.diverged)/\(e.runCount) runs diverged" : "")", verdict,
                            e.setting.isEmpty ? "" : "[\(e.setting)]"]
                    for target in e.targets {
                        row.append("\(target.column): " + (target.mean.map { String(format: "%.1f", $0) } ?? "—") + " (\(target.reached)/\(e.repeats))")
                    }
                }
                rows.append(row)
            }
            text += alignedColumns(rows, rightAligned: [0]).map { "  " + $0 + "\n" }.joined()
        }
        return text
    }

    /// Rows padded so that their columns line up (counting characters, not bytes).
    public static func alignedColumns(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, field in
                let padding = String(repeating: " ", count: widths[c] - field.count)
                return rightAligned.contains(c) ? padding + field : (c == row.count - 1 ? field : field + padding)
            }.joined(separator: "  ").replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        }
    }
}
