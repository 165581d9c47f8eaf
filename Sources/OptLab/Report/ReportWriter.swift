import Foundation

/// `results/<suite>/report.md`: every table and every concluding sentence computed from
/// the suite's CSV files, so a rerun on other data gives a truthful report.
public enum ReportWriter {
    /// Writes report.md (and with `html`, report.html beside it); returns the paths written.
    @discardableResult
    public static func write(resultsDirectory: String, plotsDirectory: String? = nil, html: Bool = false) throws -> [String] {
        let rows = try ResultsStore.readRows(resultsDirectory + "/runs.csv")
        let suite = try? ResolvedSuite.suite(in: resultsDirectory)
        let targets = suite.map { Dictionary(uniqueKeysWithValues: $0.problems.map { ($0.name, $0.targets.map(\.column)) }) }
        try SummaryTable.write(resultsDirectory: resultsDirectory, targets: targets, tuning: suite?.tuning)
        let name = URL(fileURLWithPath: resultsDirectory).standardizedFileURL.lastPathComponent
        let plots = plotsDirectory ?? (URL(fileURLWithPath: resultsDirectory).standardizedFileURL
            .deletingLastPathComponent().deletingLastPathComponent().path + "/plots/" + name)
        let epochsPath = resultsDirectory + "/epochs.csv"
        let epochs = FileManager.default.fileExists(atPath: epochsPath) ? try ResultsStore.readRows(epochsPath) : []
        let text = markdown(suite: name, runs: rows, epochs: epochs, trainingExamples: trainingExamples(resultsDirectory),
                            figures: figureFiles(in: plots), figurePrefix: relativePrefix(from: resultsDirectory, to: plots),
                            tuning: suite?.tuning, targets: targets, deepOBS: deepOBSProblems(suite, resultsDirectory))
        let path = resultsDirectory + "/report.md"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        guard html else { return [path] }
        let labs = suite?.tuning == nil ? try MomentumLab.labs(resultsDirectory: resultsDirectory, runs: rows, suite: suite) : []
        return [path, try HTMLReport.write(resultsDirectory: resultsDirectory, markdown: text, labs: labs)]
    }

    /// Examples left for training per network problem, from the suite the folder was made
    /// from (empty when that file is gone).
    static func trainingExamples(_ resultsDirectory: String) -> [String: Int] {
        guard let suite = try? ResolvedSuite.suite(in: resultsDirectory) else { return [:] }
        var result: [String: Int] = [:]
        for case .network(let p) in suite.problems {
            result[p.name] = min(p.trainLimit ?? DatasetName.trainingImages, DatasetName.trainingImages) - p.validation
        }
        return result
    }

    /// Each DeepOBS problem's batch order and the published runs copied beside its results.
    static func deepOBSProblems(_ suite: Suite?, _ directory: String) -> [String: DeepOBSEntry] {
        var result: [String: DeepOBSEntry] = [:]
        for case .deepobs(let p) in suite?.problems ?? [] {
            let path = directory + "/" + DeepOBSBaselines.fileName(problem: p.name)
            let baselines = FileManager.default.fileExists(atPath: path) ? try? DeepOBSBaselines.read(path) : nil
            result[p.name] = DeepOBSEntry(definition: p, baselines: baselines)
        }
        return result
    }

    public struct DeepOBSEntry: Sendable {
        public var definition: Suite.DeepOBSProblem
        public var baselines: DeepOBSBaselines?
        public var problem: String { definition.problem }
        public var shuffle: ShuffleMode { definition.shuffle }

        /// DeepOBS's seed of a run, when the batch order is TensorFlow's (so runs pair one to one).
        var tensorflowSeed: ((RunRecord) -> Int)? {
            guard shuffle == .tensorflow else { return nil }
            let definition = definition
            return { Int(definition.tensorflowSeed(repeatIndex: $0.repeatIndex, phase: $0.phase)) }
        }
    }

    static func figureFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
    }

    static func relativePrefix(from results: String, to plots: String) -> String {
        let a = URL(fileURLWithPath: results).standardizedFileURL.pathComponents
        let b = URL(fileURLWithPath: plots).standardizedFileURL.pathComponents
        var common = 0
        while common < min(a.count, b.count) && a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(format: "%.0f", value) }
        return String(format: "%.4g", value)
    }

    /// The report for one suite's runs.csv rows.
    public static func markdown(suite: String, runs rows: [[String]], epochs: [[String]] = [], trainingExamples: [String: Int] = [:],
                                figures: [String] = [], figurePrefix: String = "", tuning: TuningProtocol? = nil,
                                targets: [String: [String]]? = nil, deepOBS: [String: DeepOBSEntry] = [:]) -> String {
        let rankings = SuiteSummary.rank(rows, targets: targets, tuning: tuning)
        let table = try? RunsTable(rows: rows)
        var text = "# Report: \(suite)\n\n"
        text += "Generated by `optlab report` from `runs.csv` (\(rows.count - 1) run\(rows.count == 2 ? "" : "s"), \(rankings.count) problem\(rankings.count == 1 ? "" : "s")). "
        text += "Every number and every conclusion below is computed from the CSV files of this folder.\n"
        for ranking in rankings {
            text += "\n## \(ranking.problem)\n\n"
            text += rankingSection(ranking)
            // Set beside DeepOBS's runs when the batch order is fixed per seed, as DeepOBS's was.
            if let table, let entry = deepOBS[ranking.problem], entry.shuffle.isFixed, let baselines = entry.baselines {
                text += DeepOBSComparison.section(table, problem: ranking.problem, baselines: baselines, seedOf: entry.tensorflowSeed)
            }
            if let tuning, let table {
                text += ProtocolReport.tuningSection(table, problem: ranking.problem, type: ranking.type, tuning: tuning)
            } else {
                if let robust = robustness(rows, problem: ranking.problem, metric: ranking.metric, higherIsBetter: ranking.higherIsBetter) {
                    text += robust
                }
                if let table { text += tuningCurves(table, ranking: ranking) }
            }
            if let table, let schedules = ScheduleComparison.section(table, problem: ranking.problem, metric: ranking.metric,
                                                                     higherIsBetter: ranking.higherIsBetter) {
                text += schedules
            }
            // A figure belongs to the longest problem name it starts with (`a-b-lr` is a-b's, not a's).
            let longer = rankings.map(\.problem).filter { $0.hasPrefix(ranking.problem + "-") }
            let mine = figures.filter { f in
                f.hasPrefix(ranking.problem + "-") && !f.contains("momentum") && !longer.contains { f.hasPrefix($0 + "-") }
            }
            if !mine.isEmpty {
                text += "\nFigures: " + mine.map { "[\($0.dropLast(4))](\(figurePrefix)/\($0))" }.joined(separator: ", ") + "\n"
            }
        }
        if tuning != nil, let table, let profile = ProtocolReport.performanceProfile(table, targets: targets ?? [:]) { text += profile }
        // The same DeepOBS problem with both batch orders: what reshuffling changes.
        if let table {
            for (fixed, a) in deepOBS.sorted(by: { $0.key < $1.key }) where a.shuffle.isFixed {
                if let perEpoch = deepOBS.sorted(by: { $0.key < $1.key }).first(where: { $0.value.problem == a.problem && $0.value.shuffle == .perEpoch }) {
                    text += DeepOBSComparison.shuffleSection(rankings, fixed: fixed, shuffle: a.shuffle, perEpoch: perEpoch.key, baselines: a.baselines)
                }
            }
        }
        // The exercise's ξ × α analysis needs a grid; a protocol's trials are not one.
        let analyses = tuning == nil ? MomentumAnalysis.analyses(runsCSV: rows) : []
        if !analyses.isEmpty { text += exerciseQuestions(analyses, runs: rows) }
        for analysis in analyses {
            text += momentumSection(analysis, figures: figures, figurePrefix: figurePrefix)
        }
        for section in CourseClaims.sections(suite: suite, runs: rows, epochs: epochs, trainingExamples: trainingExamples) {
            text += section.markdown
            // The claim's own figure (optlab plot), when it was drawn.
            let figure = "claim-" + section.title.replacingOccurrences(of: " ", with: "-")
            if figures.contains(figure + ".png") { text += "\n![\(section.title)](\(figurePrefix)/\(figure).png)\n" }
        }
        return text
    }

    /// The ranking table of one problem (the rows of summary.csv) and its sentences.
    static func rankingSection(_ ranking: SuiteSummary.ProblemRanking) -> String {
        let better = ranking.higherIsBetter ? "higher" : "lower"
        let hasTargets = ranking.entries.contains { !$0.targets.isEmpty }
        var text = "Optimizers ranked by "
        text += ranking.type == .surface && hasTargets ? "the steps to the first target, then `\(ranking.metric)`" : "`\(ranking.metric)`"
        text += " (\(better) is better) at each one's best setting. "
        text += ranking.deterministic
            ? "Each setting is one deterministic run (no randomness enters), so values are compared exactly; final losses within \(SuiteSummary.lossTolerance) count as equal.\n\n"
            : "Mean ± std over seeds with a 95% bootstrap interval; each optimizer is compared with the first, paired by seed, by the Wilcoxon signed-rank test with Holm's adjustment (verdict `worse` below 5%, else `tied`; no verdict with fewer than \(PairedEvidence.minimumPairs) paired seeds, where the test cannot reach 5%).\n\n"
        let targetColumns = ranking.entries.first { !$0.targets.isEmpty }?.targets.map(\.column) ?? []
        text += "| rank | optimizer | convention | best setting | \(ranking.metric) | 95% interval | n | diverged | verdict |"
            + targetColumns.map { " \($0.dropFirst(3)) |" }.joined() + "\n"
        text += "|---:|---|---|---|---:|---|---:|---:|---|" + String(repeating: "---:|", count: targetColumns.count) + "\n"
        for e in ranking.entries {
            let score = e.rank == nil ? "—" : ranking.deterministic ? String(format: "%.6g", e.mean) : String(format: "%.6g ± %.2g", e.mean, e.standardDeviation)
            let interval = e.interval.map { String(format: "[%.4g, %.4g]", $0.low, $0.high) } ?? "—"
            let verdict = e.verdict.map { "\($0.rawValue)" + (e.pValue.map { String(format: " (p = %.3g)", $0) } ?? "") } ?? "no test (n < \(PairedEvidence.minimumPairs))"
            let setting = e.rank == nil ? e.note : (e.setting.isEmpty ? "defaults" : e.setting)
            text += "| \(e.rank.map(String.init) ?? "–") | \(e.optimizer) | \(e.convention) | \(setting) | \(score) | \(interval) | \(e.values.count) | \(e.diverged)/\(e.runCount) | \(verdict) |"
            text += (e.rank == nil ? targetColumns.map { _ in " — |" } : e.targets.map { " " + ($0.mean.map { String(format: "%.1f", $0) } ?? "—") + " (\($0.reached)/\(e.repeats)) |" }).joined() + "\n"
        }
        let ranked = ranking.entries.filter { $0.rank != nil }
        if let best = ranked.first {
            text += "\n**\(best.optimizer)** ranks first with \(ranking.metric) = \(String(format: "%.6g", best.mean))"
            text += best.setting.isEmpty ? "" : " at \(best.setting)"
            text += " (\(best.values.count) run\(best.values.count == 1 ? "" : "s")).\n"
            let tied = ranked.dropFirst().filter { $0.verdict == .tied }.map(\.optimizer)
            if !tied.isEmpty { text += "Not distinguishable from it: \(tied.joined(separator: ", ")).\n" }
            let untested = ranked.dropFirst().filter { $0.verdict == nil }.map(\.optimizer)
            if !untested.isEmpty { text += "Too few seeds to test: \(untested.joined(separator: ", ")).\n" }
        }
        let unranked = ranking.entries.filter { $0.rank == nil }
        if !unranked.isEmpty {
            text += "Not ranked: " + unranked.map { "\($0.optimizer) (\($0.note))" }.joined(separator: "; ") + ".\n"
        }
        return text
    }

    /// Tuning curves of an accuracy-ranked problem: per optimizer, the expected best of k
    /// settings drawn at random from its grid (each setting scored by its mean over seeds,
    /// a setting whose runs diverged or failed counting as accuracy 0), for k = 1, 2, 4, …
    /// and all K. How much an optimizer depends on tuning: a flat curve is robust.
    public static func tuningCurves(_ table: RunsTable, ranking: SuiteSummary.ProblemRanking) -> String {
        guard ranking.higherIsBetter else { return "" }
        var curves: [(String, [Double])] = []
        for entry in ranking.entries {
            let mine = table.records.filter { $0.problem == ranking.problem && $0.optimizer == entry.optimizer && $0.convention == entry.convention }
            var settings: [String: [RunRecord]] = [:]
            for run in mine { settings[table.settingText(run), default: []].append(run) }
            guard settings.count >= 2 else { continue }
            let scores = settings.values.map { runs -> Double in
                runs.allSatisfy(\.isUsable) ? Statistics.mean(runs.compactMap { $0.metric(ranking.metric) }) : 0
            }
            curves.append(("\(entry.optimizer) (\(entry.convention))", Statistics.tuningCurve(scores.map { $0.isFinite ? $0 : 0 }, higherIsBetter: true)))
        }
        guard !curves.isEmpty else { return "" }
        let largest = curves.map(\.1.count).max()!
        var ks = sequence(first: 1) { $0 * 2 }.prefix { $0 < largest }.map { $0 }
        ks.append(largest)
        var text = "\nTuning curves: the expected best \(ranking.metric) of k settings drawn at random from each optimizer's grid "
        text += "(each setting's mean over seeds; a setting with a diverged or failed run counts as 0). A flat curve needs little tuning.\n\n"
        text += "| optimizer | settings |" + ks.map { " k = \($0) |" }.joined() + "\n|---|---:|" + String(repeating: "---:|", count: ks.count) + "\n"
        for (name, curve) in curves {
            text += "| \(name) | \(curve.count) |" + ks.map { k in k <= curve.count ? String(format: " %.4g |", curve[k - 1]) : " — |" }.joined() + "\n"
        }
        return text
    }

    /// Robustness across the learning-rate grid, on the learning rates every compared
    /// optimizer was tried at: for each optimizer, the metric at each shared lr (best over
    /// the other settings, mean over repeats; a diverged lr counts as accuracy 0, or is only
    /// counted for losses), averaged over those learning rates.
    public static func robustness(_ rows: [[String]], problem: String, metric: String, higherIsBetter: Bool) -> String? {
        guard let header = rows.first, let p = header.firstIndex(of: "problem"), let o = header.firstIndex(of: "optimizer"),
              let l = header.firstIndex(of: "lr"), let m = header.firstIndex(of: metric), let st = header.firstIndex(of: "status") else { return nil }
        // Everything that makes a setting apart from the learning rate.
        let keyNames = SuiteSummary.settingColumns(of: header).filter { $0 != "lr" } + ["convention", "start_x", "start_y"]
        let settingColumns = keyNames.compactMap { header.firstIndex(of: $0) }
        let runs = rows.dropFirst().filter { $0[p] == problem }
        var optimizers: [String] = []
        for row in runs where !optimizers.contains(row[o]) { optimizers.append(row[o]) }
        // Only the learning rates every optimizer was tried at: an average over each one's
        // own grid would compare different things.
        let grids = optimizers.map { optimizer in Set(runs.filter { $0[o] == optimizer }.compactMap { Double($0[l]) }) }
        let shared = grids.dropFirst().reduce(grids.first ?? []) { $0.intersection($1) }
        guard optimizers.count > 1 else { return nil }
        guard shared.count > 1 else {
            return "\nRobustness across learning rates is not compared: the optimizers share \(shared.count) learning rate\(shared.count == 1 ? "" : "s") (2 or more needed).\n"
        }
        var scores: [(String, Double, Int, Int)] = []
        for optimizer in optimizers {
            let mine = runs.filter { $0[o] == optimizer }
            let lrs = shared.sorted()
            var values: [Double] = []
            var divergedLRs = 0
            for lr in lrs {
                var groups: [String: [Double]] = [:]
                for row in mine where Double(row[l]) == lr {
                    let key = settingColumns.map { row[$0] }.joined(separator: "|")
                    if RunStatus(rawValue: row[st]) == .diverged || Double(row[m]) == nil { groups[key, default: []].append(.nan) } else { groups[key, default: []].append(Double(row[m])!) }
                }
                let means = groups.values.map { $0.contains { $0.isNaN } ? Double.nan : $0.reduce(0, +) / Double($0.count) }.filter { !$0.isNaN }
                if let best = higherIsBetter ? means.max() : means.min() { values.append(best) } else {
                    divergedLRs += 1
                    if higherIsBetter { values.append(0) }
                }
            }
            guard !values.isEmpty else { continue }
            scores.append((optimizer, values.reduce(0, +) / Double(values.count), lrs.count, divergedLRs))
        }
        // Losses of diverged rates are unknown: for them, fewer divergences rank first.
        guard let best = scores.sorted(by: { a, b in
            if higherIsBetter { return a.1 > b.1 }
            return a.3 != b.3 ? a.3 < b.3 : a.1 < b.1
        }).first else { return nil }
        var text = "\nMost robust across the learning-rate grid: **\(best.0)**, whose \(metric) averaged over the \(best.2) learning rates all optimizers share "
        text += "(best other settings at each) is \(String(format: "%.6g", best.1))"
        text += best.3 > 0 ? " (diverged at \(best.3) of them).\n" : ".\n"
        return text
    }

    /// The exercise's own three questions, answered from the sweep: momentum as the
    /// optimizer, what ξ and α do, and whether momentum needs fewer epochs than plain
    /// mini-batch descent, seed by seed with a test.
    public static func exerciseQuestions(_ analyses: [MomentumAnalysis], runs rows: [[String]]) -> String {
        guard let table = try? RunsTable(rows: rows) else { return "" }
        var text = "\n## The exercise's three questions\n\n"
        // One analysis per problem: its validation target when it has one, else its first.
        var primary: [MomentumAnalysis] = []
        for a in analyses where !primary.contains(where: { $0.problem == a.problem }) {
            primary.append(analyses.first { $0.problem == a.problem && $0.target.hasPrefix("val_") } ?? a)
        }
        text += "**1. Momentum as the optimizer.** Every run below trains with mini-batch descent and first-order momentum, "
        text += "`v ← ξ·v + α·∇W; W ← W − v` (optimizer `momentum`, Keras convention: μ = ξ, lr = α; ξ = 0 is plain mini-batch descent), on "
        text += primary.map { a in
            let runs = table.records.filter { $0.problem == a.problem && $0.optimizer == "momentum" }
            let seeds = Set(runs.map(\.repeatIndex)).count
            return "`\(a.problem)` (\(a.xis.count) ξ × \(a.alphas.count) α, \(seeds) seed\(seeds == 1 ? "" : "s") per cell, \(runs.count) runs)"
        }.joined(separator: ", ") + ".\n\n"
        text += "**2. What ξ and α do.**\n\n"
        for a in primary {
            text += "- `\(a.problem)`, \(a.unit) to \(a.target): "
            if let fastest = a.fastest {
                text += "fastest at ξ = \(number(fastest.xi)), α = \(number(fastest.alpha)) (" + String(format: "%.1f", fastest.meanToTarget!) + " \(a.unit), effective step α/(1 − ξ) = \(number(fastest.effectiveStep))); "
            } else {
                text += "no cell reached the target in every repeat; "
            }
            let diverged = a.cells.filter { $0.diverged > 0 }
            text += diverged.isEmpty ? "no run diverged" : "runs diverged in \(diverged.count) of \(a.cells.count) cells (smallest effective step with a divergence: \(number(a.divergenceBoundary.smallestDiverged ?? .nan)))"
            if !a.overshooting.isEmpty { text += "; \(a.overshooting.count) cell\(a.overshooting.count == 1 ? "" : "s") overshot (large effective step, neither diverged nor reached the target)" }
            if let rho = a.effectiveStepCorrelation {
                text += "; Spearman(α/(1 − ξ), \(a.unit)) = " + String(format: "%.2f", rho) + " over \(a.correlationPoints) cells"
            } else {
                text += "; too few cells (\(a.correlationPoints)) for a correlation"
            }
            text += ".\n"
        }
        text += "\n**3. Does momentum converge in fewer \(primary.first?.unit ?? "epochs")?** The fastest momentum cell against plain descent at its best α, paired by seed "
        text += "(a run that never reached the target counts as the budget + 1, which understates the difference); one-sided exact Wilcoxon signed-rank test at 5% "
        text += "(on a surface without noise every repeat is the same, and the comparison is exact):\n\n"
        text += "| problem | momentum cell | plain cell | per seed (plain → momentum) | mean saved | 95% interval | momentum faster | p | verdict |\n"
        text += "|---|---|---|---|---:|---|---:|---:|---|\n"
        for a in primary {
            let runs = table.records.filter { $0.problem == a.problem }
            let budget = Double(runs.compactMap { a.unit == "steps" ? $0.steps : $0.epochs }.max() ?? 0)
            guard let c = a.plainVersusMomentum(budget: budget) else {
                text += "| \(a.problem) | — | — | — | — | — | — | — | no comparison: no momentum cell reached the target in every repeat |\n"
                continue
            }
            func shown(_ value: Double?) -> String { value.map { String(format: "%g", $0) } ?? "not reached" }
            let perSeed = c.pairs.map { "\(shown($0.plain)) → \(shown($0.momentum))" }.joined(separator: "; ")
            let interval = c.interval.map { String(format: "[%.3g, %.3g]", $0.low, $0.high) } ?? "—"
            var verdict = c.verdict.rawValue
            if c.deterministic {
                verdict += " (deterministic: exact comparison)"
            } else if c.verdict == .inconclusive, c.smallestPossibleP >= 0.05 {
                verdict += " (with \(c.pairs.count) seeds the test cannot go below p = \(String(format: "%.3g", c.smallestPossibleP)))"
            }
            text += "| \(a.problem) | ξ = \(number(c.momentum.xi)), α = \(number(c.momentum.alpha)) | ξ = 0, α = \(number(c.plain.alpha)) | \(perSeed) | "
            let p = c.deterministic ? "—" : (c.pValue.map { String(format: "%.3g", $0) } ?? "—")
            text += String(format: "%.2f", c.meanDifference) + " | \(c.deterministic ? "—" : interval) | \(c.momentumFaster)/\(c.pairs.count) | \(p) | \(verdict) |\n"
        }
        return text
    }

    static func momentumSection(_ a: MomentumAnalysis, figures: [String], figurePrefix: String) -> String {
        let unit = a.unit
        var text = "\n## The momentum exercise on \(a.problem): \(unit) to \(a.target)\n\n"
        text += "Mini-batch descent with momentum `v ← ξ·v + α·∇W; W ← W − v` (ξ = 0 is plain mini-batch descent). "
        text += "Each cell: mean \(unit) to reach \(a.target) over the repeats that reached it (reached/total); "
        text += "`div` where a run diverged, `—` where none reached it.\n\n"
        text += "| ξ \\ α |" + a.alphas.map { " \(number($0)) |" }.joined() + "\n|---|" + String(repeating: "---:|", count: a.alphas.count) + "\n"
        for xi in a.xis {
            text += "| \(number(xi)) |"
            for alpha in a.alphas {
                guard let c = a.cell(xi: xi, alpha: alpha) else { text += " |"; continue }
                var cell = c.meanToTarget.map { String(format: "%.1f", $0) + " (\(c.reached)/\(c.repeats))" } ?? "—"
                if c.diverged > 0 { cell = c.diverged == c.repeats ? "div" : cell + ", \(c.diverged) div" }
                text += " \(cell) |"
            }
            text += "\n"
        }
        text += "\nSpeed-up over ξ = 0 at the same α (\(unit) at ξ = 0 divided by \(unit) at ξ; above 1 means momentum was faster):\n\n"
        text += "| ξ \\ α |" + a.alphas.map { " \(number($0)) |" }.joined() + "\n|---|" + String(repeating: "---:|", count: a.alphas.count) + "\n"
        for xi in a.xis where xi != 0 {
            text += "| \(number(xi)) |" + a.alphas.map { alpha in " " + (a.speedUp(xi: xi, alpha: alpha).map { String(format: "%.2f×", $0) } ?? "—") + " |" }.joined() + "\n"
        }
        text += "\nEffective step α/(1 − ξ), the step momentum takes along a direction where the gradient stays constant:\n\n"
        text += "| ξ \\ α |" + a.alphas.map { " \(number($0)) |" }.joined() + "\n|---|" + String(repeating: "---:|", count: a.alphas.count) + "\n"
        for xi in a.xis {
            text += "| \(number(xi)) |" + a.alphas.map { " " + number($0 / (1 - xi)) + " |" }.joined() + "\n"
        }

        text += "\nCells drawn in the `\(a.problem)-momentum-cells-\(a.target)` figure: "
        text += a.chosenCells.map { "ξ = \(number($0.cell.xi)), α = \(number($0.cell.alpha)) (\($0.why))" }.joined(separator: "; ") + ".\n"
        text += "\n### What the numbers say\n\n"
        if let fastest = a.fastest {
            text += "- The target was reached fastest at ξ = \(number(fastest.xi)), α = \(number(fastest.alpha)): "
            text += String(format: "%.1f", fastest.meanToTarget!) + " \(unit) (mean of \(fastest.repeats)).\n"
            if let plain = a.fastestPlain {
                let difference = plain.meanToTarget! - fastest.meanToTarget!
                if fastest.xi == 0 {
                    text += "- **Momentum did not converge in fewer \(unit)**: plain mini-batch descent (ξ = 0) at its best α = \(number(plain.alpha)) was the fastest of all.\n"
                } else if difference > 0 {
                    text += "- **Momentum converged in fewer \(unit)**: plain mini-batch descent needed " + String(format: "%.1f", plain.meanToTarget!)
                    text += " \(unit) at its best α = \(number(plain.alpha)), " + String(format: "%.1f", difference) + " more than the fastest momentum setting.\n"
                } else {
                    text += "- **Momentum did not converge in fewer \(unit)**: plain mini-batch descent matched it (" + String(format: "%.1f", plain.meanToTarget!) + " \(unit) at α = \(number(plain.alpha))).\n"
                }
            } else {
                text += "- Plain mini-batch descent (ξ = 0) never reached the target in every repeat at any α; momentum did.\n"
            }
        } else {
            text += "- No (ξ, α) reached the target in every repeat.\n"
        }
        let faster = a.xis.filter { $0 != 0 }.flatMap { xi in a.alphas.compactMap { a.speedUp(xi: xi, alpha: $0) } }
        if !faster.isEmpty {
            let wins = faster.filter { $0 > 1 }.count
            text += "- Where both reached the target, momentum was faster than ξ = 0 at the same α in \(wins) of \(faster.count) cells.\n"
        }
        let divergedCells = a.cells.filter { $0.diverged > 0 }
        let overshooting = a.overshooting
        if !overshooting.isEmpty {
            let worst = overshooting[0]
            text += "- Without diverging, \(overshooting.count) cell\(overshooting.count == 1 ? "" : "s") whose effective step exceeds every one that reached the target reached it in no repeat: "
            text += overshooting.map { "ξ = \(number($0.xi)), α = \(number($0.alpha))" }.joined(separator: "; ")
            if let loss = worst.meanFinalLoss {
                text += ". The largest (α/(1 − ξ) = \(number(worst.effectiveStep))) ended at loss " + String(format: "%.3g", loss)
                if let best = a.fastest, let bestLoss = best.meanFinalLoss {
                    text += " against " + String(format: "%.3g", bestLoss) + " for the fastest cell"
                }
            }
            text += ": momentum overshoots.\n"
        }
        if divergedCells.isEmpty {
            text += "- No run diverged.\n"
        } else {
            // Per ξ, the α values at which some run diverged.
            let byXi = a.xis.compactMap { xi -> String? in
                let alphas = divergedCells.filter { $0.xi == xi }.map(\.alpha)
                return alphas.isEmpty ? nil : "ξ = \(number(xi)) at α ∈ {\(alphas.map(number).joined(separator: ", "))}"
            }
            text += "- Runs diverged in \(divergedCells.count) of \(a.cells.count) cells: " + byXi.joined(separator: "; ") + ".\n"
            let (smallest, largest) = a.divergenceBoundary
            if let smallest, let largest {
                if smallest > largest {
                    text += "- The effective step separates them: every setting with α/(1 − ξ) ≤ \(number(largest)) was stable and divergence began at \(number(smallest)).\n"
                } else {
                    text += "- The effective step alone does not separate them: a run diverged at α/(1 − ξ) = \(number(smallest)) while another was stable at \(number(largest)).\n"
                }
            }
        }
        if a.effectiveStepCorrelation == nil, a.correlationPoints > 0 {
            text += "- Too few points for a correlation between α/(1 − ξ) and \(unit) to target: \(a.correlationPoints) setting\(a.correlationPoints == 1 ? "" : "s") reached the target in every repeat (\(MomentumAnalysis.minimumCorrelationPoints) needed).\n"
        }
        if let rho = a.effectiveStepCorrelation {
            text += "- Across the \(a.correlationPoints) settings that reached the target in every repeat, the Spearman correlation between α/(1 − ξ) and \(unit) to target is " + String(format: "%.2f", rho) + ": "
            if rho <= -0.7 {
                text += "the effective step explains most of the pattern (larger effective steps, fewer \(unit)"
                    + (divergedCells.isEmpty ? ").\n" : ", until runs diverge).\n")
            } else if rho <= -0.3 {
                text += "the effective step explains part of the pattern; ξ and α also matter apart from their ratio.\n"
            } else {
                text += "the effective step does not explain the pattern.\n"
            }
        }
        // This target's figures only (`<problem>-momentum[-cells]-<target>.png`).
        let mine = figures.filter { $0.hasPrefix(a.problem + "-momentum") && $0.hasSuffix("-\(a.target).png") }
        if !mine.isEmpty {
            text += "\nFigures: " + mine.map { "[\($0.dropLast(4))](\(figurePrefix)/\($0))" }.joined(separator: ", ") + "\n"
        }
        return text
    }
}
