import Foundation

/// A tuning protocol declared in a suite (`protocol:`): each optimizer gets the same budget
/// of tuning trials on one seed, its best trial is selected on a validation metric, and the
/// selected setting is rerun with fresh seeds; rankings and verdicts come from those
/// confirmation runs, on the reported metric (README, "Tuning protocol").
public struct TuningProtocol: Sendable, Equatable {
    public enum Sampler: String, Sendable, CaseIterable {
        /// Every setting of the grid, or a seeded random subset of `budget` of them.
        case grid
        /// `budget` settings drawn at random: a log range `{from, to, per_decade}` is drawn
        /// log-uniformly between its ends, a list uniformly among its values.
        case random
    }

    /// Tuning trials per optimizer and problem (nil: the whole grid, for `grid` only).
    public var budget: Int?
    public var sampler: Sampler
    /// Seed of the sampler (which settings are tried), apart from the runs' seeds.
    public var seed: UInt64
    /// The runs.csv metric a tuning trial is selected on (a validation metric).
    public var selectOn: String
    /// Fresh seeds each selected setting is rerun with.
    public var confirmSeeds: Int
    /// The runs.csv metric the confirmation runs are ranked and reported on.
    public var reportOn: String

    public init(budget: Int?, sampler: Sampler, seed: UInt64, selectOn: String, confirmSeeds: Int, reportOn: String) {
        self.budget = budget
        self.sampler = sampler
        self.seed = seed
        self.selectOn = selectOn
        self.confirmSeeds = confirmSeeds
        self.reportOn = reportOn
    }

    /// Metrics a tuning trial can be selected on: validation only, never test.
    public static let selectable = ["final_val_acc", "best_val_acc", "final_val_loss", "best_val_loss"]
    /// Metrics the confirmation can be reported on.
    public static let reportable = ["final_test_acc", "final_val_acc", "best_val_acc", "final_val_loss", "best_val_loss", "final_train_loss"]
    /// What surfaces select and report on: they have no validation or test set.
    public static let surfaceMetric = "final_loss"
    /// What DeepOBS problems select and report on, as DeepOBS does: the final test loss.
    public static let deepOBSMetric = "final_test_loss"

    /// Accuracies are better higher, losses lower.
    public static func higherIsBetter(_ metric: String) -> Bool { metric.hasSuffix("_acc") }

    /// Significant digits of a sampled value: 0.0031622776601683794 is tried as 0.003162.
    static let sampledDigits = 4
}

/// Which part of a protocol suite a run belongs to (runs.csv's `phase` column).
public enum RunPhase: String, Sendable, CaseIterable {
    case tune
    case confirm
}

extension Suite {
    /// The settings tuning tries for one optimizer entry on one problem, in trial order.
    /// They depend on the protocol's seed and the entry's position only, so every problem
    /// of the suite tries the same settings and a trial's setting does not change when
    /// another optimizer is added after it.
    func tuningSettings(of entry: OptimizerEntry, entryIndex: Int, on problem: Problem, protocol tuning: TuningProtocol) -> [[String: GridValue]] {
        let axes = axes(of: entry, on: problem)
        let keys = axes.keys.sorted()
        switch tuning.sampler {
        case .grid:
            let all = cartesian(keys.map { axes[$0]! }).map { Dictionary(uniqueKeysWithValues: zip(keys, $0)) }
            guard let budget = tuning.budget, budget < all.count else { return all }
            // A seeded subset without replacement, kept in grid order.
            var generator = SplitMix64.derived(seed: tuning.seed, stream: "grid-subset-\(entryIndex)")
            var indices = Array(all.indices)
            for i in 0..<budget {
                let j = i + Int(generator.nextDouble() * Double(indices.count - i))
                indices.swapAt(i, j)
            }
            return indices.prefix(budget).sorted().map { all[$0] }
        case .random:
            let ranges = grid.merging(entry.grid) { _, own in own }.keys.reduce(into: [String: ClosedRange<Double>]()) { result, key in
                if let range = entry.grid[key] != nil ? entry.ranges[key] : gridRanges[key] { result[key] = range }
            }
            return (0..<(tuning.budget ?? 1)).map { trial in
                var generator = SplitMix64.derived(seed: tuning.seed, stream: "random-\(entryIndex)-\(trial)")
                var settings: [String: GridValue] = [:]
                for key in keys {
                    let u = generator.nextDouble()
                    if let range = ranges[key] {
                        let value = pow(10, log10(range.lowerBound) + u * (log10(range.upperBound) - log10(range.lowerBound)))
                        settings[key] = .number(Self.rounded(value, digits: TuningProtocol.sampledDigits))
                    } else {
                        let values = axes[key]!
                        settings[key] = values[min(values.count - 1, Int(u * Double(values.count)))]
                    }
                }
                return settings
            }
        }
    }

    /// `value` to `digits` significant digits.
    static func rounded(_ value: Double, digits: Int) -> Double {
        Double(String(format: "%.\(digits - 1)e", value)) ?? value
    }

    /// The metric a problem's tuning trials are selected on, and whether higher is better.
    public func selectionMetric(of problem: Problem) -> (metric: String, higherIsBetter: Bool)? {
        guard let tuning else { return nil }
        if case .surface = problem { return (TuningProtocol.surfaceMetric, false) }
        if case .deepobs = problem { return (TuningProtocol.deepOBSMetric, false) }
        return (tuning.selectOn, TuningProtocol.higherIsBetter(tuning.selectOn))
    }

    /// The confirmation runs of a protocol suite, given the tuning runs' records: for each
    /// problem and optimizer entry, the trial with the best selection metric among those
    /// that ended normally (the earliest trial on ties) is rerun with `confirm.seeds` fresh
    /// seeds (repeats 1…N; tuning used repeat 0). An entry with no usable trial gets none.
    public func confirmationRuns(tuning runs: [RunSpec], records: [String: RunRecord]) -> [RunSpec] {
        guard let tuning else { return [] }
        var confirmation: [RunSpec] = []
        var next = runs.count
        for (problemIndex, problem) in problems.enumerated() {
            guard let (metric, higher) = selectionMetric(of: problem) else { continue }
            for entryIndex in optimizers.indices {
                let trials = runs.filter { $0.problemIndex == problemIndex && $0.entryIndex == entryIndex }
                let scored = trials.compactMap { run -> (RunSpec, Double)? in
                    guard let record = records[run.id], record.isUsable, let value = record.metric(metric) else { return nil }
                    return (run, value)
                }
                guard let chosen = scored.enumerated().min(by: { a, b in
                    let (x, y) = (a.element.1, b.element.1)
                    if x != y { return higher ? x > y : x < y }
                    return a.offset < b.offset
                })?.element.0 else { continue }
                let seeds = tuningIsDeterministic(problem) ? 1 : tuning.confirmSeeds
                for r in 1...seeds {
                    confirmation.append(makeRun(index: next, problemIndex: problemIndex, entryIndex: entryIndex, settings: chosen.settings,
                                                start: chosen.start, startIndex: chosen.startIndex, repeatIndex: r,
                                                phase: .confirm, trial: chosen.trial))
                    next += 1
                }
            }
        }
        return confirmation
    }

    /// A surface without gradient noise gives the same numbers on every seed.
    func tuningIsDeterministic(_ problem: Problem) -> Bool {
        if case .surface(let p) = problem { return p.noise == 0 }
        return false
    }
}
