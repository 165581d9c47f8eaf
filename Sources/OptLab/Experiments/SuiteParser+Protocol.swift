import Foundation
import Yams

/// The `protocol:` section of a suite, and the ends of log ranges that random search
/// draws between.
extension SuiteParser {
    /// `protocol: {tune: {budget, sampler, seed}, select_on, confirm: {seeds}, report_on}`.
    func tuningProtocol(_ node: Node) throws -> TuningProtocol {
        var budget: Int?, sampler = TuningProtocol.Sampler.random, seed: UInt64 = 0
        var selectOn = "final_val_acc", reportOn = "final_test_acc", seeds = 10
        var tuneNode: Node?
        for (key, _, value) in try mapping(node, allowed: ["tune", "select_on", "confirm", "report_on"], what: "the protocol") {
            _ = try attempt {
                switch key {
                case "tune":
                    tuneNode = value
                    for (k, _, v) in try mapping(value, allowed: ["budget", "sampler", "seed"], what: "protocol.tune") {
                        _ = try attempt {
                            switch k {
                            case "budget": budget = try integer(v, "budget", minimum: 1, maximum: Limits.tuningBudget)
                            case "sampler": sampler = try choice(v, "sampler") { name in
                                guard let s = TuningProtocol.Sampler(rawValue: name) else {
                                    throw InputError("unknown sampler '\(Identifier.printable(name))'; expected grid or random")
                                }
                                return s
                            }
                            default: seed = UInt64(try integer(v, "seed", minimum: 0, maximum: Int(Limits.seed)))
                            }
                        }
                    }
                case "select_on": selectOn = try metric(value, "select_on", TuningProtocol.selectable)
                case "report_on": reportOn = try metric(value, "report_on", TuningProtocol.reportable)
                default:
                    for (_, _, v) in try mapping(value, allowed: ["seeds"], what: "protocol.confirm") {
                        _ = try attempt { seeds = try integer(v, "seeds", minimum: 1, maximum: Limits.repeats) }
                    }
                }
            }
        }
        if sampler == .random && budget == nil {
            throw error(tuneNode ?? node, "random search needs a 'budget' (trials per optimizer and problem)")
        }
        return TuningProtocol(budget: budget, sampler: sampler, seed: seed, selectOn: selectOn, confirmSeeds: seeds, reportOn: reportOn)
    }

    func metric(_ node: Node, _ what: String, _ allowed: [String]) throws -> String {
        try choice(node, what) { name in
            guard allowed.contains(name) else {
                throw InputError("\(what) '\(Identifier.printable(name))' is not one of \(allowed.joined(separator: ", "))")
            }
            return name
        }
    }

    /// What a protocol needs of the rest of the suite: seeds come from `confirm`, and a
    /// network problem selected on validation needs a validation set.
    func checkProtocol(_ tuning: TuningProtocol, node: Node?, repeatsNode: Node?, problems: [Suite.Problem], optimizers: [Suite.OptimizerEntry]) throws {
        // The protocol tunes and confirms one setting per optimizer and convention; choosing
        // between two confirmed entries afterwards would select on the reported metric.
        var seen: [String: Suite.Location?] = [:]
        for entry in optimizers {
            let key = "\(entry.kind.rawValue) (\(entry.convention.rawValue))"
            if let first = seen[key] {
                try record(InputError("\(key) is listed twice (first at \(first.map { "line \($0.line)" } ?? "?")); under a protocol each optimizer and convention is tuned once: put the values that differ in its grid",
                                      file: file, line: entry.location?.line, column: entry.location?.column))
            }
            seen[key] = entry.location
        }
        if let repeatsNode {
            try record(error(repeatsNode, "'repeats' has no effect under a protocol: tuning uses one seed and 'confirm: {seeds: N}' sets the confirmation's"))
        }
        for case .network(let p) in problems where p.validation == 0 {
            try record(error(node, "problem '\(p.name)' has no validation set ('validation: 0'); the protocol selects on \(tuning.selectOn)"))
        }
    }

    /// The ends of the grid keys written as log ranges `{from, to, per_decade}`.
    func logRanges(_ nodes: [String: Node]) -> [String: ClosedRange<Double>] {
        var ranges: [String: ClosedRange<Double>] = [:]
        for (key, node) in nodes {
            guard let from = node["from"].flatMap({ Double($0.string ?? "") }), let to = node["to"].flatMap({ Double($0.string ?? "") }),
                  from > 0, to >= from else { continue }
            ranges[key] = from...to
        }
        return ranges
    }
}
