import Foundation

/// The statistics behind a claim's verdict: two settings compared seed by seed (the same
/// repeat index gives the same initial weights and batch order), by the exact Wilcoxon
/// signed-rank test at 95% (Holm-adjusted when one claim makes several comparisons), with
/// a seeded bootstrap interval of the mean paired difference.
public struct PairedEvidence: Sendable {
    public enum Outcome: String, Sendable {
        case holds, refuted, inconclusive
    }

    /// What was compared, for the reason ("two layers − one layer").
    public var label: String
    /// Seeds present on both sides.
    public var pairs: Int
    /// Mean of (claimed better − other), oriented so that a positive value supports the claim.
    public var meanDifference: Double
    public var interval: (low: Double, high: Double)?
    /// Two-sided p-value (Holm-adjusted within its family); nil when there is no test.
    public var p: Double?
    public var outcome: Outcome
    /// Why there is no test, when there is none.
    public var note: String?

    /// Paired seeds a two-sided exact Wilcoxon test needs to reach 5% at all (2/2⁶ = 0.031).
    public static let minimumPairs = 6
    public static let level = 0.05

    /// Compares `better` (the side the claim says is better) with `other`, both keyed by
    /// repeat index and oriented so that larger is better.
    public static func compare(_ label: String, better: [Int: Double], other: [Int: Double], seed: UInt64 = 0) -> PairedEvidence {
        let shared = better.keys.filter { other[$0] != nil }.sorted()
        let differences = shared.map { better[$0]! - other[$0]! }
        let mean = differences.isEmpty ? .nan : Statistics.mean(differences)
        var evidence = PairedEvidence(label: label, pairs: shared.count, meanDifference: mean, interval: nil, p: nil, outcome: .inconclusive, note: nil)
        guard shared.count >= minimumPairs else {
            evidence.note = "\(shared.count) paired seed\(shared.count == 1 ? "" : "s"), \(minimumPairs) needed for a test at 95%"
            return evidence
        }
        evidence.interval = Statistics.bootstrapInterval(differences, seed: seed ^ fnv1a64(label))
        guard let test = Statistics.wilcoxonSignedRank(differences) else {
            evidence.p = 1
            evidence.note = "identical on every seed"
            return evidence
        }
        evidence.p = test.p
        evidence.outcome = test.p < level ? (mean > 0 ? .holds : .refuted) : .inconclusive
        return evidence
    }

    /// Holm's adjustment over a family of comparisons; outcomes recomputed at the adjusted p.
    public static func adjusted(_ family: [PairedEvidence]) -> [PairedEvidence] {
        let tested = family.indices.filter { family[$0].p != nil && family[$0].note == nil }
        let ps = Statistics.holm(tested.map { family[$0].p! })
        var result = family
        for (k, i) in tested.enumerated() {
            result[i].p = ps[k]
            result[i].outcome = ps[k] < level ? (result[i].meanDifference > 0 ? .holds : .refuted) : .inconclusive
        }
        return result
    }

    /// The outcome of a claim made of several comparisons that must all hold: refuted when
    /// any is refuted, holds when all hold, otherwise inconclusive.
    public static func combined(_ outcomes: [Outcome]) -> Outcome {
        if outcomes.contains(.refuted) { return .refuted }
        return !outcomes.isEmpty && outcomes.allSatisfy { $0 == .holds } ? .holds : .inconclusive
    }

    /// "+0.31 [0.12, 0.50], p = 0.004, 10 seeds", scaled by `scale` with `unit` (points: 100, " points").
    public func summary(scale: Double = 1, unit: String = "", digits: Int = 2) -> String {
        let f = { (v: Double) in String(format: "%+.\(digits)f", v * scale) }
        var text = "\(label): \(meanDifference.isFinite ? f(meanDifference) : "—")\(unit)"
        if let interval { text += " [\(f(interval.low)), \(f(interval.high))]" }
        if let note { return text + " (\(note))" }
        if let p { text += String(format: ", p = %.3g", p) }
        return text + ", \(pairs) seeds"
    }
}

extension CSVTable {
    /// The values of `column` keyed by the runs' repeat index (the seed), non-numbers left out.
    func bySeed(_ rows: [[String]], _ column: String) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for row in rows {
            if let value = number(row, column) { result[Int(self.value(row, "repeat")) ?? 0] = value }
        }
        return result
    }
}
