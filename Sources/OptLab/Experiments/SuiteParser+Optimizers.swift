import Foundation
import Yams

/// Optimizer entries of a suite: name, convention, fixed values, own grid, schedule.
extension SuiteParser {
    func optimizerEntry(_ node: Node) throws -> Suite.OptimizerEntry {
        if case .scalar = node {
            return Suite.OptimizerEntry(kind: try choice(node, "optimizer name", OptimizerKind.parse), convention: .keras,
                                        fixed: [:], grid: [:], location: Suite.Location(node))
        }
        var kind: OptimizerKind?, convention = Convention.keras
        var fixed: [String: Double] = [:], grid: [String: [GridValue]] = [:], gridNodes: [String: Node] = [:]
        var setNode: Node?, schedule: LearningRateSchedule?, schedules: [GridValue]?, scheduleNode: Node?
        let known = Array(Set(OptimizerKind.allCases.flatMap { k in Convention.allCases.flatMap { k.type.hyperparameters(for: $0).map(\.name) } })).sorted()
        for (key, _, value) in try mapping(node, allowed: ["name", "convention", "set", "grid", "schedule"], what: "an optimizer") {
            _ = try attempt {
                switch key {
                case "schedule":
                    scheduleNode = value
                    if value.sequence != nil {
                        let items = try sequence(value, "schedule").map { try self.schedule($0) }
                        guard !items.isEmpty else { throw error(value, "schedule list is empty: the grid would have no runs") }
                        guard Set(items).count == items.count else { throw error(value, "schedule list repeats a schedule") }
                        schedules = items.map { .text($0.description) }
                    } else {
                        schedule = try self.schedule(value)
                    }
                case "name": kind = try choice(value, "optimizer name", OptimizerKind.parse)
                case "convention": convention = try choice(value, "convention", Convention.parse)
                case "set":
                    setNode = value
                    for (name, _, v) in try mapping(value, allowed: known, what: "set") {
                        _ = try attempt { fixed[name] = try hyperparameterValue(v, name) }
                    }
                default:
                    (grid, gridNodes) = try self.grid(value, what: "the optimizer's grid")
                }
            }
        }
        guard let kind else { throw error(node, "an optimizer entry needs a 'name'") }
        if let schedules { grid["schedule"] = schedules }
        // One schedule is a grid axis of one value: runs.csv's `schedule` column, rankings and
        // reports then name it with the rest of each setting.
        if let schedule, schedule.kind != .constant, grid["schedule"] == nil { grid["schedule"] = [.text(schedule.description)] }
        for text in (schedules ?? []).compactMap({ if case .text(let t) = $0 { t } else { nil } }) + (schedule.map { [$0.description] } ?? []) {
            do { try LearningRateSchedule.parse(text).check(for: convention) } catch let e as InputError { try record(error(scheduleNode, e.message)) }
        }
        // Check every fixed value and every swept one against the optimizer's own ranges.
        let declared = kind.type.hyperparameters(for: convention)
        for (name, values) in grid.sorted(by: { $0.key < $1.key }) where !Suite.networkGridKeys.contains(name) && name != "schedule" {
            guard let parameter = declared.first(where: { $0.name == name }) else {
                try record(error(gridNodes[name], "\(kind.rawValue) has no hyperparameter '\(name)' (valid: \(declared.map(\.name).joined(separator: ", ")))"))
                continue
            }
            if let bad = values.first(where: { !($0.number.map(parameter.domain.contains) ?? false) }) {
                try record(error(gridNodes[name], "\(kind.rawValue): \(name) = \(bad) is invalid; expected \(parameter.domain.summary)"))
            }
        }
        do { _ = try OptimizerSpec(kind: kind, convention: convention, overrides: fixed).resolvedValues() } catch let e as InputError {
            throw error(setNode ?? node, e.message)
        }
        return Suite.OptimizerEntry(kind: kind, convention: convention, fixed: fixed, grid: grid, location: Suite.Location(node),
                                    ranges: logRanges(gridNodes), schedule: grid["schedule"] == nil ? schedule : nil)
    }

    /// A learning-rate schedule: `constant`, the text form `cosine:steps=95,warmup=5`, or a
    /// mapping `{type: cosine, steps: 95, warmup: 5}` (`milestones` a list; `per: step | epoch`).
    func schedule(_ node: Node) throws -> LearningRateSchedule {
        if case .scalar = node { return try choice(node, "schedule") { try LearningRateSchedule.parse($0) } }
        var type: String?, fields: [String: String] = [:]
        guard let pairs = node.mapping else { throw error(node, "a schedule must be a name or a mapping with 'type', got \(shown(node))") }
        for (keyNode, value) in pairs {
            let key = try string(keyNode, "schedule key")
            switch key {
            case "type": type = try string(value, "schedule type")
            case "milestones":
                fields[key] = try sequence(value, "milestones").map { String(try integer($0, "milestone", minimum: 1, maximum: 1_000_000_000)) }.joined(separator: "/")
            default:
                guard case .scalar(let scalar) = value else { throw error(value, "schedule \(key) must be a single value, got \(shown(value))") }
                fields[key] = scalar.string
            }
        }
        guard let type else { throw error(node, "a schedule mapping needs 'type' (one of \(LearningRateSchedule.Kind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        do { return try LearningRateSchedule.make(type: type, fields: fields) } catch let e as InputError { throw error(node, e.message) }
    }
}
