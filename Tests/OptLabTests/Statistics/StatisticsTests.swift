import Foundation
import Testing
import OptLab

/// Each value below is derived by hand in its comment (and agrees with SciPy/NumPy).
@Suite("Statistics: summaries, bootstrap, Wilcoxon, Holm, Spearman")
struct StatisticsTests {
    @Test("mean, sample standard deviation, median, type-7 quantile")
    func summaries() {
        let values = [2.0, 4, 4, 4, 5, 5, 7, 9]
        #expect(Statistics.mean(values) == 5)
        // Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32; √(32/7).
        #expect(abs(Statistics.standardDeviation(values) - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(Statistics.median(values) == 4.5)
        #expect(Statistics.median([3, 1, 2]) == 2)
        // Position 0.25·3 = 0.75 between 1 and 2.
        #expect(Statistics.quantile([1, 2, 3, 4], 0.25) == 1.75)
        #expect(Statistics.standardDeviation([3]) == 0)
    }

    @Test("bootstrap interval: reproducible from its seed, exact on a two-point sample")
    func bootstrap() throws {
        let values = [0.81, 0.84, 0.83, 0.86, 0.80, 0.85]
        let a = try #require(Statistics.bootstrapInterval(values, seed: 7))
        let b = try #require(Statistics.bootstrapInterval(values, seed: 7))
        let c = try #require(Statistics.bootstrapInterval(values, seed: 8))
        #expect(a == b)
        #expect(a != c)
        #expect(a.low < Statistics.mean(values) && Statistics.mean(values) < a.high)
        #expect(a.low >= 0.80 && a.high <= 0.86)
        // Resampling {0, 1} twice: means 0, ½, 1 with probabilities ¼, ½, ¼, so the 2.5%
        // and 97.5% quantiles of many resampled means are 0 and 1.
        let two = try #require(Statistics.bootstrapInterval([0, 1], resamples: 4000, seed: 3))
        #expect(two.low == 0 && two.high == 1)
        #expect(Statistics.bootstrapInterval([1], seed: 1) == nil)
    }

    @Test("Wilcoxon signed-rank: exact two-sided p-values")
    func wilcoxon() throws {
        // All five positive: W⁺ = 15 is the largest of 2⁵ = 32 equally likely sums: p = 2/32.
        let all = try #require(Statistics.wilcoxonSignedRank([1, 2, 3, 4, 5]))
        #expect(all.statistic == 15 && abs(all.p - 0.0625) < 1e-15)
        // One negative (rank 1): W⁺ = 14; sums ≥ 14 are 14 and 15: 2/32, two-sided 4/32.
        let one = try #require(Statistics.wilcoxonSignedRank([-1, 2, 3, 4, 5]))
        #expect(one.statistic == 14 && abs(one.p - 0.125) < 1e-15)
        // Ties: |d| = 1, 1, 1, 2 have ranks 2, 2, 2, 4; W⁺ = 2 + 2 + 4 = 8. Sums ≥ 8 over the
        // 16 patterns: {2,2,4} three ways and {2,2,2,4} once, 4/16; two-sided 0.5.
        let ties = try #require(Statistics.wilcoxonSignedRank([1, 1, -1, 2]))
        #expect(ties.statistic == 8 && abs(ties.p - 0.5) < 1e-15)
        // Zeros are dropped; nothing left gives no test.
        #expect(Statistics.wilcoxonSignedRank([0, 0]) == nil)
        #expect(try #require(Statistics.wilcoxonSignedRank([0, 1, 2, 3, 4, 5])).p == all.p)
        // Ten seeds all favouring one side: p = 2/1024.
        let ten = try #require(Statistics.wilcoxonSignedRank((1...10).map { Double($0) * 0.01 }))
        #expect(abs(ten.p - 2.0 / 1024) < 1e-15)
    }

    @Test("Holm's step-down adjustment")
    func holm() {
        // Sorted 0.01, 0.03, 0.04: 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
        let adjusted = Statistics.holm([0.01, 0.04, 0.03])
        #expect(zip(adjusted, [0.03, 0.06, 0.06]).allSatisfy { abs($0 - $1) < 1e-15 })
        // 2·0.5 = 1, and 0.9 is raised to the running maximum 1.
        #expect(Statistics.holm([0.5, 0.9]) == [1, 1])
        #expect(Statistics.holm([]) == [])
    }

    @Test("Spearman's rank correlation with ties")
    func spearman() throws {
        // Ranks of y = 5, 6, 7, 8, 7: 1, 2, 3.5, 5, 3.5. Deviations from 3: x −2 −1 0 1 2,
        // y −2 −1 0.5 2 0.5; Σxy = 8, Σx² = 10, Σy² = 9.5; 8/√95.
        let rho = try #require(Statistics.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
        #expect(abs(rho - 8 / 95.0.squareRoot()) < 1e-15)
        #expect(Statistics.spearman([1, 2, 3], [3, 3, 3]) == nil)
        #expect(Statistics.averageRanks([10, 30, 20, 20]) == [1, 4, 2.5, 2.5])
    }
}

@Suite("Statistics: tuning curves")
struct TuningCurveTests {
    @Test("expected best of k random settings, by hand")
    func byHand() {
        // Scores 0.7, 0.9, 0.8 (higher better). k = 1: the mean, 0.8. k = 2: the best of each
        // of the three pairs, (0.9 + 0.8 + 0.9)/3 = 0.8667. k = 3: the best, 0.9.
        let curve = Statistics.tuningCurve([0.7, 0.9, 0.8], higherIsBetter: true)
        #expect(curve.count == 3)
        #expect(abs(curve[0] - 0.8) < 1e-12 && abs(curve[1] - 2.6 / 3) < 1e-12 && abs(curve[2] - 0.9) < 1e-12)
        // Losses (lower better) 3, 1, 2: k = 2 gives (1 + 2 + 1)/3.
        let losses = Statistics.tuningCurve([3, 1, 2], higherIsBetter: false)
        #expect(abs(losses[1] - 4.0 / 3) < 1e-12 && losses[2] == 1)
        #expect(Statistics.tuningCurve([], higherIsBetter: true).isEmpty)
    }
}
