import Foundation

/// Small, tested statistics for comparing optimizers over seeds: summaries, a seeded
/// bootstrap interval, the Wilcoxon signed-rank test for paired samples, and Holm's
/// adjustment for comparing several optimizers with the best one.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1 in the denominator); 0 for one value.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return values.isEmpty ? .nan : 0 }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The `q` quantile by linear interpolation between order statistics (NumPy's default,
    /// "type 7"): position q·(n − 1) in the sorted values.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// A percentile bootstrap confidence interval of the mean: `resamples` resamples with
    /// replacement drawn from `SplitMix64(seed:)`, the interval between the
    /// (1 − level)/2 and (1 + level)/2 quantiles of their means. The same seed gives the
    /// same interval. Nil for fewer than 2 values.
    public static func bootstrapInterval(_ values: [Double], level: Double = 0.95, resamples: Int = 10_000,
                                         seed: UInt64 = 0x5EED) -> (low: Double, high: Double)? {
        guard values.count >= 2 else { return nil }
        var generator = SplitMix64(seed: seed)
        let n = UInt64(values.count)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<values.count { sum += values[Int(generator.next() % n)] }
            means[r] = sum / Double(values.count)
        }
        means.sort()
        return (quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2))
    }

    /// The two-sided p-value of the Wilcoxon signed-rank test of paired differences
    /// against a median of 0. Zero differences are dropped (Wilcoxon's convention); tied
    /// magnitudes get their average rank. The p-value is exact: the null distribution of
    /// the positive-rank sum W⁺ over all 2ⁿ sign patterns, counted by dynamic programming
    /// (ranks doubled so that half ranks stay whole). Nil when no difference is left.
    public enum Alternative: Sendable { case twoSided, greater }

    /// `alternative: .greater` gives the one-sided p-value P(W⁺ ≥ observed): the evidence
    /// that the differences tend to be positive.
    public static func wilcoxonSignedRank(_ differences: [Double], alternative: Alternative = .twoSided) -> (statistic: Double, p: Double)? {
        let nonzero = differences.filter { $0 != 0 && $0.isFinite }
        guard !nonzero.isEmpty else { return nil }
        let doubledRanks = averageRanks(nonzero.map(abs)).map { Int(($0 * 2).rounded()) }
        let positive = zip(nonzero, doubledRanks).filter { $0.0 > 0 }.map(\.1).reduce(0, +)
        let total = doubledRanks.reduce(0, +)
        // counts[s]: how many sign patterns give a doubled positive sum of s.
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        for rank in doubledRanks {
            for s in stride(from: total, through: rank, by: -1) { counts[s] += counts[s - rank] }
        }
        let patterns = counts.reduce(0, +)
        let below = counts[0...positive].reduce(0, +) / patterns
        let above = counts[positive...].reduce(0, +) / patterns
        switch alternative {
        case .twoSided: return (Double(positive) / 2, min(1, 2 * min(below, above)))
        case .greater: return (Double(positive) / 2, above)
        }
    }

    /// Average ranks (1-based) of `values`, ties sharing the mean of their positions. Values
    /// within `relativeTolerance`·|v| of the smallest of their group tie (0: only equal ones;
    /// a small tolerance lets 0.01/(1 − 0.9) tie with 0.1, which differ in the last bit).
    public static func averageRanks(_ values: [Double], relativeTolerance: Double = 0) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, values[order[j + 1]] - values[order[i]] <= relativeTolerance * abs(values[order[i]]) { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// Holm's step-down adjustment of p-values for several tests (the family-wise error
    /// rate stays at the level): sorted ascending, the k-th smallest (k from 0) becomes
    /// max over j ≤ k of min(1, (m − j)·p₍ⱼ₎). Returned in the input's order.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (k, index) in order.enumerated() {
            running = max(running, min(1, Double(m - k) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// A tuning curve: for k = 1…K, the expected best of k trials drawn at random without
    /// replacement from the K `values` (each a setting's score; `higherIsBetter` says which
    /// end is best), computed exactly over all orderings. With the values sorted from worst
    /// to best, the i-th (1-based) is the best of a k-subset with probability
    /// C(i − 1, k − 1)/C(K, k).
    public static func tuningCurve(_ values: [Double], higherIsBetter: Bool) -> [Double] {
        let sorted = values.sorted { higherIsBetter ? $0 < $1 : $0 > $1 }
        let count = sorted.count
        guard count > 0 else { return [] }
        return (1...count).map { k in
            // The weights C(i − 1, k − 1)/C(K, k) through log-gamma, so that large K cannot overflow.
            var total = 0.0
            for i in k...count {
                total += sorted[i - 1] * exp(logChoose(i - 1, k - 1) - logChoose(count, k))
            }
            return total
        }
    }

    /// log C(n, k).
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// Spearman's rank correlation (Pearson's on average ranks, ties as in
    /// ``averageRanks(_:relativeTolerance:)``); nil for fewer than 2 points or a constant series.
    public static func spearman(_ x: [Double], _ y: [Double], relativeTolerance: Double = 0) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let (rx, ry) = (averageRanks(x, relativeTolerance: relativeTolerance), averageRanks(y, relativeTolerance: relativeTolerance))
        let (mx, my) = (mean(rx), mean(ry))
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in rx.indices {
            sxy += (rx[i] - mx) * (ry[i] - my)
            sxx += (rx[i] - mx) * (rx[i] - mx)
            syy += (ry[i] - my) * (ry[i] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }
}
