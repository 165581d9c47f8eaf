import Foundation

/// The course exercise: mini-batch descent with momentum `v ← ξ·v + α·∇W; W ← W − v`,
/// varied over ξ and α. From the runs of one problem where `momentum` (ξ) and `lr` (α)
/// are swept for the momentum optimizer, it computes epochs (or steps) to a target per
/// (ξ, α) cell, the speed-up of each ξ over ξ = 0 at the same α, where runs diverge, and
/// how well the effective step α/(1 − ξ) explains the pattern.
public struct MomentumAnalysis: Sendable {
    public struct Cell: Sendable, Equatable {
        public var xi: Double
        public var alpha: Double
        /// Mean epochs (steps) to the target over the repeats that reached it.
        public var meanToTarget: Double?
        public var reached: Int
        public var repeats: Int
        public var diverged: Int
        /// Mean final training loss (networks) or final loss (surfaces) of the runs that
        /// did not diverge.
        public var meanFinalLoss: Double? = nil
        /// Repeat index → epochs (steps) to the target, for the repeats that reached it;
        /// and every repeat index of the cell's runs.
        public var toTargetByRepeat: [Int: Double] = [:]
        public var repeatIndices: [Int] = []
        public var effectiveStep: Double { alpha / (1 - xi) }
    }

    /// The exercise's third question, seed by seed: the fastest momentum cell against the
    /// fastest plain one (ξ = 0), paired by repeat (the same seed: the same initial weights
    /// and batch order). A repeat that never reached the target counts as `budget` + 1
    /// epochs (steps), which understates its difference.
    public struct PlainVersusMomentum: Sendable {
        public var momentum: Cell
        public var plain: Cell
        /// (repeat, plain, momentum) epochs to target; nil where not reached.
        public var pairs: [(repeat: Int, plain: Double?, momentum: Double?)]
        /// Plain minus momentum per pair (positive: momentum was faster).
        public var differences: [Double]
        public var meanDifference: Double
        public var interval: (low: Double, high: Double)?
        /// One-sided exact Wilcoxon signed-rank p-value that momentum needs fewer epochs.
        public var pValue: Double?
        /// The smallest p-value the test can give with this many pairs: 2⁻ⁿ.
        public var smallestPossibleP: Double
        public var momentumFaster: Int
        /// Every repeat of every cell gave the same number (a surface without noise): the
        /// comparison is exact, and a test has nothing to add.
        public var deterministic: Bool

        public enum Verdict: String, Sendable { case holds, refuted, inconclusive }
        public var verdict: Verdict {
            if deterministic {
                guard let difference = differences.first else { return .inconclusive }
                return difference > 0 ? .holds : (difference < 0 ? .refuted : .inconclusive)
            }
            guard let pValue else { return .inconclusive }
            if pValue < 0.05 { return .holds }
            // The opposite direction: plain significantly faster.
            if let opposite = Statistics.wilcoxonSignedRank(differences.map { -$0 }, alternative: .greater), opposite.p < 0.05 { return .refuted }
            return .inconclusive
        }
    }

    /// Steps on a surface whose repeats all agree (or that ran once per cell): nothing random.
    public var isDeterministic: Bool {
        unit == "steps" && cells.allSatisfy { Set($0.toTargetByRepeat.values).count <= 1 && ($0.reached == 0 || $0.reached == $0.repeats) }
    }

    /// The comparison for the fastest momentum cell (ξ > 0) and the fastest plain cell,
    /// with `budget` the epochs (steps) a run had; nil when either is missing.
    public func plainVersusMomentum(budget: Double) -> PlainVersusMomentum? {
        let candidates = cells.filter { $0.reached == $0.repeats && $0.meanToTarget != nil }
        guard let momentum = candidates.filter({ $0.xi > 0 }).min(by: { $0.meanToTarget! < $1.meanToTarget! }) else { return nil }
        // Plain descent at its best α; when it never reached the target in every repeat,
        // the plain cell that reached it in the most repeats, fastest among those.
        let plains = cells.filter { $0.xi == 0 }
        guard let plain = plains.max(by: { a, b in
            a.reached != b.reached ? a.reached < b.reached : (a.meanToTarget ?? .infinity) > (b.meanToTarget ?? .infinity)
        }) else { return nil }
        let repeats = Set(momentum.repeatIndices).intersection(plain.repeatIndices).sorted()
        let pairs = repeats.map { (repeat: $0, plain: plain.toTargetByRepeat[$0], momentum: momentum.toTargetByRepeat[$0]) }
        let differences = pairs.map { ($0.plain ?? budget + 1) - ($0.momentum ?? budget + 1) }
        return PlainVersusMomentum(
            momentum: momentum, plain: plain, pairs: pairs, differences: differences,
            meanDifference: Statistics.mean(differences),
            interval: differences.count >= 3 ? Statistics.bootstrapInterval(differences, seed: fnv1a64(problem + target)) : nil,
            pValue: Statistics.wilcoxonSignedRank(differences, alternative: .greater)?.p,
            smallestPossibleP: pow(0.5, Double(differences.count)),
            momentumFaster: differences.filter { $0 > 0 }.count,
            deterministic: isDeterministic)
    }

    public var problem: String
    public var target: String
    public var unit: String
    public var xis: [Double]
    public var alphas: [Double]
    public var cells: [Cell]

    public func cell(xi: Double, alpha: Double) -> Cell? { cells.first { $0.xi == xi && $0.alpha == alpha } }

    /// Analyses for every problem of `runs.csv` whose momentum runs sweep ξ and α, one per
    /// target column of that problem.
    public static func analyses(runsCSV rows: [[String]]) -> [MomentumAnalysis] {
        guard let header = rows.first, let xiColumn = header.firstIndex(of: "momentum"),
              let lrColumn = header.firstIndex(of: "lr"), let problemColumn = header.firstIndex(of: "problem"),
              let optimizerColumn = header.firstIndex(of: "optimizer"), let statusColumn = header.firstIndex(of: "status") else { return [] }
        let typeColumn = header.firstIndex(of: "type")
        let repeatColumn = header.firstIndex(of: "repeat")
        let momentumRuns = rows.dropFirst().filter { $0[optimizerColumn] == "momentum" && Double($0[xiColumn]) != nil }
        var problems: [String] = []
        for row in momentumRuns where !problems.contains(row[problemColumn]) { problems.append(row[problemColumn]) }
        var result: [MomentumAnalysis] = []
        for problem in problems {
            let runs = momentumRuns.filter { $0[problemColumn] == problem }
            let xis = Set(runs.compactMap { Double($0[xiColumn]) }).sorted()
            let alphas = Set(runs.compactMap { Double($0[lrColumn]) }).sorted()
            guard xis.count > 1, alphas.count > 1 else { continue }
            let unit = typeColumn.map { runs.first?[$0] == "surface" ? "steps" : "epochs" } ?? "epochs"
            let lossColumn = header.firstIndex(of: unit == "steps" ? "final_loss" : "final_train_loss")
            for (targetColumn, target) in header.enumerated() where target.hasPrefix("to_") {
                var cells: [Cell] = []
                for xi in xis {
                    for alpha in alphas {
                        let members = runs.filter { Double($0[xiColumn]) == xi && Double($0[lrColumn]) == alpha }
                        guard !members.isEmpty else { continue }
                        let reached = members.compactMap { Double($0[targetColumn]) }
                        let repeatOf = { (row: [String]) in repeatColumn.flatMap { Int(row[$0]) } ?? 0 }
                        var byRepeat: [Int: Double] = [:]
                        for row in members { if let value = Double(row[targetColumn]) { byRepeat[repeatOf(row)] = value } }
                        let losses = lossColumn.map { c in members.filter { RunStatus(rawValue: $0[statusColumn]) != .diverged }.compactMap { Double($0[c]) }.filter(\.isFinite) } ?? []
                        cells.append(Cell(xi: xi, alpha: alpha,
                                          meanToTarget: reached.isEmpty ? nil : reached.reduce(0, +) / Double(reached.count),
                                          reached: reached.count, repeats: members.count,
                                          diverged: members.filter { RunStatus(rawValue: $0[statusColumn]) == .diverged }.count,
                                          meanFinalLoss: losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count),
                                          toTargetByRepeat: byRepeat, repeatIndices: members.map(repeatOf)))
                    }
                }
                // A target column belongs to a problem when at least one of its runs could fill it.
                let applies = runs.contains { !$0[targetColumn].isEmpty }
                if applies { result.append(MomentumAnalysis(problem: problem, target: String(target.dropFirst(3)), unit: unit,
                                                            xis: xis, alphas: alphas, cells: cells)) }
            }
        }
        return result
    }

    // MARK: Findings

    /// The cell reaching the target in the fewest epochs (all repeats reaching it).
    public var fastest: Cell? {
        cells.filter { $0.reached == $0.repeats && $0.meanToTarget != nil }.min { $0.meanToTarget! < $1.meanToTarget! }
    }

    /// The fastest cell with ξ = 0 (plain mini-batch descent).
    public var fastestPlain: Cell? {
        cells.filter { $0.xi == 0 && $0.reached == $0.repeats && $0.meanToTarget != nil }.min { $0.meanToTarget! < $1.meanToTarget! }
    }

    /// The cells whose loss curves (trajectories on a surface) are drawn, with why: the
    /// fastest, plain descent at the same α, plain descent at its own best α, and the
    /// largest ξ at the fastest α (where momentum overshoots, if anywhere). Without a
    /// fastest cell: ξ = 0, the middle ξ and the largest ξ at the middle α.
    public var chosenCells: [(cell: Cell, why: String)] {
        var chosen: [(Cell, String)] = []
        func add(_ xi: Double, _ alpha: Double, _ why: String) {
            guard let c = cell(xi: xi, alpha: alpha), !chosen.contains(where: { $0.0 == c }) else { return }
            chosen.append((c, why))
        }
        let largest = xis.last!
        if let best = fastest {
            add(best.xi, best.alpha, "fastest")
            add(0, best.alpha, "plain, same α")
            if let plain = fastestPlain { add(plain.xi, plain.alpha, "plain, its best α") }
            add(largest, best.alpha, "largest ξ, same α")
        } else {
            let alpha = alphas[alphas.count / 2]
            add(0, alpha, "plain")
            add(xis[xis.count / 2], alpha, "middle ξ")
            add(largest, alpha, "largest ξ")
        }
        return chosen
    }

    /// Speed-up of ξ over ξ = 0 at the same α: epochs(ξ = 0) / epochs(ξ); nil when either
    /// did not reach the target in every repeat.
    public func speedUp(xi: Double, alpha: Double) -> Double? {
        guard let plain = cell(xi: 0, alpha: alpha), plain.reached == plain.repeats, let base = plain.meanToTarget,
              let other = cell(xi: xi, alpha: alpha), other.reached == other.repeats, let epochs = other.meanToTarget, epochs > 0 else { return nil }
        return base / epochs
    }

    /// Cells that neither diverged nor reached the target in any repeat although their
    /// effective step exceeds every step that reached it in all repeats: momentum that
    /// overshoots without overflowing. Largest effective step first.
    public var overshooting: [Cell] {
        guard let reachable = cells.filter({ $0.reached == $0.repeats && $0.meanToTarget != nil }).map(\.effectiveStep).max() else { return [] }
        return cells.filter { $0.reached == 0 && $0.diverged == 0 && $0.effectiveStep > reachable * (1 + 1e-9) }
            .sorted { $0.effectiveStep > $1.effectiveStep }
    }

    /// Points a correlation needs before it is reported.
    public static let minimumCorrelationPoints = 5

    /// The cells where every repeat reached the target: the points of the correlation.
    public var correlationPoints: Int { cells.filter { $0.reached == $0.repeats && $0.meanToTarget != nil }.count }

    /// Spearman rank correlation between α/(1 − ξ) and epochs-to-target over the cells
    /// where every repeat reached the target (nil with fewer than five such cells: a rank
    /// correlation of three points is ±1 or ±0.5 by construction).
    public var effectiveStepCorrelation: Double? {
        let reached = cells.filter { $0.reached == $0.repeats && $0.meanToTarget != nil }
        guard reached.count >= Self.minimumCorrelationPoints else { return nil }
        return Self.spearman(reached.map(\.effectiveStep), reached.map { $0.meanToTarget! })
    }

    /// The smallest effective step at which some run diverged, and the largest at which
    /// none did: when the first exceeds the second, α/(1 − ξ) separates the two.
    public var divergenceBoundary: (smallestDiverged: Double?, largestStable: Double?) {
        let diverged = cells.filter { $0.diverged > 0 }.map(\.effectiveStep).min()
        let stable = cells.filter { $0.diverged == 0 }.map(\.effectiveStep).max()
        return (diverged, stable)
    }

    /// Spearman's correlation with ties up to rounding (0 for a constant series).
    public static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        Statistics.spearman(a, b, relativeTolerance: 1e-9) ?? 0
    }
}
