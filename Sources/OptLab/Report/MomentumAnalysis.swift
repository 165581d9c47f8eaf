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
        public var effectiveStep: Double { alpha / (1 - xi) }
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
                        let losses = lossColumn.map { c in members.filter { RunStatus(rawValue: $0[statusColumn]) != .diverged }.compactMap { Double($0[c]) }.filter(\.isFinite) } ?? []
                        cells.append(Cell(xi: xi, alpha: alpha,
                                          meanToTarget: reached.isEmpty ? nil : reached.reduce(0, +) / Double(reached.count),
                                          reached: reached.count, repeats: members.count,
                                          diverged: members.filter { RunStatus(rawValue: $0[statusColumn]) == .diverged }.count,
                                          meanFinalLoss: losses.isEmpty ? nil : losses.reduce(0, +) / Double(losses.count)))
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

    /// Spearman rank correlation between α/(1 − ξ) and epochs-to-target over the cells
    /// where every repeat reached the target (nil with fewer than three such cells).
    public var effectiveStepCorrelation: Double? {
        let reached = cells.filter { $0.reached == $0.repeats && $0.meanToTarget != nil }
        guard reached.count >= 3 else { return nil }
        return Self.spearman(reached.map(\.effectiveStep), reached.map { $0.meanToTarget! })
    }

    /// The smallest effective step at which some run diverged, and the largest at which
    /// none did: when the first exceeds the second, α/(1 − ξ) separates the two.
    public var divergenceBoundary: (smallestDiverged: Double?, largestStable: Double?) {
        let diverged = cells.filter { $0.diverged > 0 }.map(\.effectiveStep).min()
        let stable = cells.filter { $0.diverged == 0 }.map(\.effectiveStep).max()
        return (diverged, stable)
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            // Equal up to rounding (0.01/(1 − 0.9) and 0.1/(1 − 0) differ in the last bit) ties.
            while j + 1 < order.count && values[order[j + 1]] - values[order[i]] <= 1e-9 * abs(values[order[i]]) { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }  // ties share the mean rank
            i = j + 1
        }
        return ranks
    }

    public static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        let ra = ranks(a), rb = ranks(b)
        let ma = ra.reduce(0, +) / Double(ra.count), mb = rb.reduce(0, +) / Double(rb.count)
        var covariance = 0.0, va = 0.0, vb = 0.0
        for i in ra.indices {
            covariance += (ra[i] - ma) * (rb[i] - mb)
            va += (ra[i] - ma) * (ra[i] - ma)
            vb += (rb[i] - mb) * (rb[i] - mb)
        }
        return va == 0 || vb == 0 ? 0 : covariance / (va * vb).squareRoot()
    }
}
