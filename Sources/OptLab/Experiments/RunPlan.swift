/// One run of a suite: a problem, an optimizer with its settings, a repeat.
public struct RunSpec: Sendable {
    /// Position in the suite's canonical order (problems, optimizers, grid, repeats).
    public var index: Int
    public var problemIndex: Int
    public var optimizer: OptimizerSpec
    /// Swept values by grid key (`lr` included when swept), plus `start` for surfaces.
    public var settings: [String: GridValue]
    public var start: Point?
    public var repeatIndex: Int
    /// The optimizer entry and the start point (surfaces) it came from, for messages.
    public var entryIndex: Int
    public var startIndex: Int
    public var seed: UInt64
    /// Stable id: a digest of the resolved settings, independent of key order in the file.
    public var id: String
    /// Under a tuning protocol: the phase, and the tuning trial the setting comes from.
    public var phase: RunPhase? = nil
    public var trial: Int? = nil
}

extension Suite {
    /// Every grid key swept anywhere in the suite, and every fixed value that tells two
    /// entries of one optimizer apart, sorted: the extra columns of runs.csv.
    public var sweptKeys: [String] {
        Set(grid.keys).union(optimizers.flatMap { $0.grid.keys }).union(entryValues.flatMap(\.keys)).sorted()
    }

    /// For each optimizer entry, the fixed values that differ between it and another entry
    /// of the same optimizer and convention (a value not set counts as its default). They
    /// are recorded like swept values, so two such entries are one optimizer searched over
    /// those values, as a grid would be: their runs are never pooled as seeds of one setting.
    public var entryValues: [[String: Double]] {
        var result = Array(repeating: [String: Double](), count: optimizers.count)
        var groups: [String: [Int]] = [:]
        for (i, entry) in optimizers.enumerated() { groups[entry.kind.rawValue + "|" + entry.convention.rawValue, default: []].append(i) }
        for members in groups.values where members.count > 1 {
            let entry = optimizers[members[0]]
            let defaults = Dictionary(entry.kind.type.hyperparameters(for: entry.convention).map { ($0.name, $0.defaultValue) }) { a, _ in a }
            for key in Set(members.flatMap { optimizers[$0].fixed.keys }) {
                let values = members.map { optimizers[$0].fixed[key] ?? defaults[key] ?? .nan }
                guard Set(values.map(\.bitPattern)).count > 1 else { continue }
                for (m, value) in zip(members, values) { result[m][key] = value }
            }
        }
        return result
    }

    /// The seed of repeat `r`: derived from the suite's seed and `r` only, so a run's
    /// numbers do not depend on which other runs exist or where it runs.
    public func seed(repeat r: Int) -> UInt64 {
        var generator = SplitMix64.derived(seed: seed, stream: "repeat-\(r)")
        return generator.next()
    }

    /// The grid axes one optimizer entry sweeps on one problem: the suite's grid with
    /// the entry's own over it, keeping network keys for networks and the entry's own
    /// hyperparameters.
    func axes(of entry: OptimizerEntry, on problem: Problem) -> [String: [GridValue]] {
        let declared = Set(entry.kind.type.hyperparameters(for: entry.convention).map(\.name))
        let isNetwork = if case .network = problem { true } else { false }
        return grid.merging(entry.grid) { _, own in own }.filter { key, _ in
            Suite.networkGridKeys.contains(key) ? isNetwork : (declared.contains(key) || key == "schedule")
        }
    }

    /// Repeats a problem runs: the suite's, or one for a surface without gradient noise,
    /// whose runs are deterministic (a repeat would give the same numbers).
    public func repeats(of problem: Problem) -> Int {
        if case .surface(let p) = problem, p.noise == 0 { return 1 }
        return repeats
    }

    /// Start points a surface problem sweeps (nil: its single start, not a setting).
    func sweptStarts(of problem: Problem) -> [Point?] {
        if case .surface(let p) = problem, p.starts.count > 1 { return p.starts }
        return [nil]
    }

    /// The number of runs ``expand()`` gives, computed without expanding; nil when it
    /// does not fit in an `Int`. Under a tuning protocol: tuning and confirmation runs.
    public func plannedRunCount() -> Int? {
        var total = 0
        for problem in problems {
            for entry in optimizers {
                var count = sweptStarts(of: problem).count
                var settings = 1
                for values in axes(of: entry, on: problem).values {
                    let (product, overflow) = settings.multipliedReportingOverflow(by: values.count)
                    if overflow { return nil }
                    settings = product
                }
                var perSetting = repeats(of: problem), confirmation = 0
                if let tuning {
                    // Trials on one seed at every start, then the selected one (one start) on fresh seeds.
                    if tuning.sampler == .random || tuning.budget.map({ $0 < settings }) == true { settings = tuning.budget ?? settings }
                    perSetting = 1
                    confirmation = tuningIsDeterministic(problem) ? 1 : tuning.confirmSeeds
                }
                let (product, overflowSettings) = count.multipliedReportingOverflow(by: settings)
                count = product
                let (perStart, overflowRuns) = count.multipliedReportingOverflow(by: perSetting)
                let (runs, overflowConfirmation) = perStart.addingReportingOverflow(confirmation)
                let (sum, overflowSum) = total.addingReportingOverflow(runs)
                if overflowSettings || overflowRuns || overflowConfirmation || overflowSum { return nil }
                total = sum
            }
        }
        return total
    }

    /// The runs, in canonical order: problems × optimizers × grid (Cartesian product,
    /// keys sorted, the optimizer's grid over the suite's) × starts × repeats. Under a
    /// tuning protocol, the tuning runs (problems × optimizers × trials × starts, one seed);
    /// the confirmation runs depend on their results (``confirmationRuns(tuning:records:)``).
    public func expand() -> [RunSpec] {
        var runs: [RunSpec] = []
        let entryValues = self.entryValues
        for (problemIndex, problem) in problems.enumerated() {
            for (entryIndex, entry) in optimizers.enumerated() {
                let settingsList: [[String: GridValue]]
                if let tuning {
                    settingsList = tuningSettings(of: entry, entryIndex: entryIndex, on: problem, protocol: tuning)
                } else {
                    let axes = axes(of: entry, on: problem)
                    let keys = axes.keys.sorted()
                    settingsList = cartesian(keys.map { axes[$0]! }).map { Dictionary(uniqueKeysWithValues: zip(keys, $0)) }
                }
                for (trial, settings) in settingsList.enumerated() {
                    for (startIndex, start) in sweptStarts(of: problem).enumerated() {
                        for r in 0..<(tuning == nil ? repeats(of: problem) : 1) {
                            runs.append(makeRun(index: runs.count, problemIndex: problemIndex, entryIndex: entryIndex, settings: settings,
                                                start: start, startIndex: startIndex, repeatIndex: r,
                                                phase: tuning == nil ? nil : .tune, trial: tuning == nil ? nil : trial,
                                                entryValues: entryValues))
                        }
                    }
                }
            }
        }
        return runs
    }

    /// One run: its optimizer spec (fixed values, then the swept ones), seed and id. The id
    /// digests everything that changes the run's numbers, plus, under a protocol, its phase
    /// and trial (two trials may draw the same setting).
    /// `entryValues` is ``entryValues``, passed in by callers that make many runs.
    func makeRun(index: Int, problemIndex: Int, entryIndex: Int, settings: [String: GridValue], start: Point?, startIndex: Int,
                 repeatIndex r: Int, phase: RunPhase?, trial: Int?, entryValues: [[String: Double]]? = nil) -> RunSpec {
        let problem = problems[problemIndex], entry = optimizers[entryIndex]
        let declared = Set(entry.kind.type.hyperparameters(for: entry.convention).map(\.name))
        var overrides = entry.fixed
        for (key, value) in settings where declared.contains(key) { overrides[key] = value.number! }
        // The schedule: swept (validated text) or the entry's; a constant one adds nothing to the id.
        var schedule = entry.schedule
        if case .text(let text)? = settings["schedule"] { schedule = try? LearningRateSchedule.parse(text) }
        let spec = OptimizerSpec(kind: entry.kind, convention: entry.convention, overrides: overrides, schedule: schedule)
        var identity = "problem=\(problem.name);\(problem.identity);optimizer=\(entry.kind.rawValue);convention=\(entry.convention.rawValue)"
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) { identity += ";\(key)=\(CSV.number(value))" }
        if let schedule = spec.schedule, settings["schedule"] == nil { identity += ";schedule=\(schedule)" }
        for key in settings.keys.sorted() where !declared.contains(key) { identity += ";\(key)=\(settings[key]!)" }
        if let start { identity += ";start=\(CSV.number(start.x)),\(CSV.number(start.y))" }
        identity += ";repeat=\(r)"
        if let phase { identity += ";phase=\(phase.rawValue)" + (phase == .tune ? ";trial=\(trial ?? 0)" : "") }
        let id = String(String(fnv1a64(identity), radix: 16).leftPadded(to: 16).prefix(12))
        // Recorded beside the swept values (they are already in the id, as fixed values).
        var settings = settings
        for (key, value) in (entryValues ?? self.entryValues)[entryIndex] where settings[key] == nil { settings[key] = .number(value) }
        return RunSpec(index: index, problemIndex: problemIndex, optimizer: spec, settings: settings, start: start, repeatIndex: r,
                       entryIndex: entryIndex, startIndex: startIndex, seed: seed(repeat: r), id: id, phase: phase, trial: trial)
    }
}

/// All combinations, the last axis varying fastest.
func cartesian(_ axes: [[GridValue]]) -> [[GridValue]] {
    axes.reduce([[]]) { partial, axis in partial.flatMap { prefix in axis.map { prefix + [$0] } } }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Which part of a suite one process runs: `--shard I/N` takes the runs whose canonical
/// index is I modulo N (I from 0 to N − 1).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 0, i < n else {
            throw InputError("--shard expects I/N with 0 ≤ I < N (e.g. 0/4), got '\(text)'")
        }
        return Shard(index: i, count: n)
    }

    public func contains(_ run: RunSpec) -> Bool { run.index % count == index }
    public var folderName: String { "shard-\(index)-of-\(count)" }
    public var description: String { "\(index)/\(count)" }
}
