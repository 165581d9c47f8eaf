import Foundation

/// A learning-rate schedule: the rate used at each step as a multiple of the optimizer's
/// `lr`, counted in steps or in epochs (`per`; on a 2D surface a step is an epoch).
///
/// Unit k counts from 0: the first step (or epoch) uses f(0). That is how both frameworks
/// count: Keras evaluates its schedule at the optimizer's iteration count before the step,
/// and a PyTorch scheduler stepped once per unit has been stepped k times when unit k runs.
/// Where the two frameworks' formulas differ, each convention follows its own:
///
/// | type | parameters (default) | Keras 3 (`keras.optimizers.schedules`) | PyTorch 2.x (`torch.optim.lr_scheduler`) |
/// |---|---|---|---|
/// | `constant` | – | f = η | f = η |
/// | `step` | `every`, `factor` (0.1) | `ExponentialDecay(staircase=True)`: η·γ^⌊k/every⌋ | `StepLR`: the same |
/// | `multistep` | `milestones`, `factor` (0.1) | `PiecewiseConstantDecay`: γ^(milestones m < k), changes after m | `MultiStepLR`: γ^(milestones m ≤ k), changes at m |
/// | `exponential` | `factor` | `ExponentialDecay(decay_steps=1)`: η·γ^k | `ExponentialLR`: the same |
/// | `cosine` | `steps`, `warmup` (0), `final` (0), `start` (Keras 0, PyTorch 1/3) | `CosineDecay` with `warmup_target = η`: linear from start·η to η over `warmup`, then η·((1−final)·½(1+cos(π·k′/steps)) + final), held at final·η after | `LinearLR(start)` then `CosineAnnealingLR(T_max=steps, eta_min=final·η)` in `SequentialLR`: the same up to k′ = steps, after which the cosine rises again (periodic) |
/// | `onecycle` | `steps`, `pct_start` (0.3), `div_factor` (25), `final_div_factor` (1e4) | no one-cycle in Keras: PyTorch's | `OneCycleLR` (cosine annealing, two phases): from η/25 up to η over pct_start·steps − 1 units, then down to η/(25·10⁴) at unit steps − 1 |
///
/// | `plateau` | `factor` (0.1), `patience` (10), `threshold` (1e-4), `cooldown` (0), `min_lr` (0) | callback `ReduceLROnPlateau`: after `patience` epochs without the metric falling below best − threshold | `ReduceLROnPlateau`: after more than `patience` epochs without it falling below best·(1 − threshold) |
///
/// (k′ = k − warmup.) `per` defaults to `epoch`, except for `onecycle` (`step`, as PyTorch
/// steps it). `onecycle` leaves the momentum alone (PyTorch's `cycle_momentum=False`).
/// `plateau` watches, at the end of each epoch, the validation loss (else the training
/// loss); on a 2D surface, the loss after each step.
public struct LearningRateSchedule: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case constant, step, multistep, exponential, cosine, onecycle, plateau
    }

    public enum Unit: String, CaseIterable, Sendable, Codable {
        case step, epoch
    }

    public var kind: Kind
    public var unit: Unit
    /// The numeric parameters by name (`every`, `factor`, `steps`, ...).
    public var parameters: [String: Double]
    /// `multistep`'s milestones, ascending.
    public var milestones: [Int]

    public static let constant = LearningRateSchedule(kind: .constant, unit: .epoch, parameters: [:], milestones: [])

    public init(kind: Kind, unit: Unit, parameters: [String: Double], milestones: [Int]) {
        self.kind = kind
        self.unit = unit
        self.parameters = parameters
        self.milestones = milestones
    }

    /// Parameter names each type accepts (besides `per`), with their defaults (nil: required).
    static func accepted(_ kind: Kind) -> [(name: String, defaultValue: Double?)] {
        switch kind {
        case .constant: []
        case .step: [("every", nil), ("factor", 0.1)]
        case .multistep: [("factor", 0.1)]
        case .exponential: [("factor", nil)]
        case .cosine: [("steps", nil), ("warmup", 0), ("final", 0), ("start", nil)]
        case .onecycle: [("steps", nil), ("pct_start", 0.3), ("div_factor", 25), ("final_div_factor", 1e4)]
        case .plateau: [("factor", 0.1), ("patience", 10), ("threshold", 1e-4), ("cooldown", 0), ("min_lr", 0)]
        }
    }

    /// The text form, `type:key=value,...` (keys sorted; `constant` alone), read back by
    /// ``parse(_:)``; the form of run ids, runs.csv and `--schedule`.
    public var description: String {
        guard kind != .constant else { return "constant" }
        var fields = parameters.keys.sorted().map { "\($0)=\(Self.number(parameters[$0]!))" }
        if !milestones.isEmpty { fields.append("milestones=" + milestones.map(String.init).joined(separator: "/")) }
        fields.append("per=\(unit.rawValue)")
        return kind.rawValue + ":" + fields.sorted().joined(separator: ",")
    }

    /// Reads `type` or `type:key=value,...` (milestones as `a/b/c`), with defaults filled
    /// and every value checked.
    public static func parse(_ text: String) throws -> LearningRateSchedule {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let head = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        var fields: [String: String] = [:]
        if head.count == 2 {
            for part in head[1].split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, !pair[0].isEmpty else { throw InputError("schedule '\(text)': expected key=value, got '\(part)'") }
                fields[pair[0]] = pair[1]
            }
        }
        return try make(type: head.first ?? "", fields: fields)
    }

    /// Builds a schedule from its type and fields as text (from YAML or the command line).
    public static func make(type: String, fields: [String: String]) throws -> LearningRateSchedule {
        guard let kind = Kind(rawValue: type.lowercased()) else {
            throw InputError(NearestName.unknownMessage(kind: "schedule", name: type, valid: Kind.allCases.map(\.rawValue)))
        }
        let accepted = accepted(kind)
        let names = accepted.map(\.name) + ["per"] + (kind == .multistep ? ["milestones"] : [])
        var parameters: [String: Double] = [:]
        var unit: Unit = kind == .onecycle ? .step : .epoch
        var milestones: [Int] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard names.contains(name) else {
                var message = "schedule \(kind.rawValue) has no parameter '\(name)'"
                if let near = NearestName.match(name, in: names) { message += "; did you mean '\(near)'?" }
                throw InputError(message + " (valid: \(names.joined(separator: ", ")))")
            }
            switch name {
            case "per":
                guard let u = Unit(rawValue: value) else { throw InputError("schedule \(kind.rawValue): per must be step or epoch, got '\(value)'") }
                unit = u
            case "milestones":
                let parts = value.split(whereSeparator: { $0 == "/" || $0 == " " }).map { Int($0) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 }) else {
                    throw InputError("schedule multistep: milestones must be whole numbers > 0, got '\(value)'")
                }
                milestones = parts.map { $0! }
                guard milestones == milestones.sorted(), Set(milestones).count == milestones.count else {
                    throw InputError("schedule multistep: milestones must increase, got '\(value)'")
                }
            default:
                guard let number = Double(value), number.isFinite else {
                    throw InputError("schedule \(kind.rawValue): \(name) must be a number, got '\(value)'")
                }
                parameters[name] = number
            }
        }
        for (name, defaultValue) in accepted where parameters[name] == nil {
            if let defaultValue { parameters[name] = defaultValue } else if name != "start" {
                throw InputError("schedule \(kind.rawValue) needs '\(name)'")
            }
        }
        if kind == .multistep && milestones.isEmpty { throw InputError("schedule multistep needs 'milestones' (e.g. milestones=30/60)") }
        let schedule = LearningRateSchedule(kind: kind, unit: unit, parameters: parameters, milestones: milestones)
        try schedule.check()
        return schedule
    }

    private func check() throws {
        func require(_ name: String, _ ok: (Double) -> Bool, _ expected: String) throws {
            if let value = parameters[name], !ok(value) {
                throw InputError("schedule \(kind.rawValue): \(name) = \(Self.number(value)) is invalid; expected \(expected)")
            }
        }
        let whole: (Double) -> Bool = { $0 >= 1 && $0 == $0.rounded() && $0 <= 1e9 }
        try require("every", whole, "a whole number ≥ 1")
        try require("factor", { $0 > 0 }, "a number > 0")
        try require("steps", whole, "a whole number ≥ 1")
        try require("warmup", { $0 >= 0 && $0 == $0.rounded() && $0 <= 1e9 }, "a whole number ≥ 0")
        try require("final", { $0 >= 0 && $0 <= 1 }, "a fraction of lr in [0, 1]")
        try require("start", { $0 >= 0 && $0 <= 1 }, "a fraction of lr in [0, 1]")
        try require("pct_start", { $0 > 0 && $0 < 1 }, "a number in (0, 1)")
        try require("div_factor", { $0 > 0 }, "a number > 0")
        try require("final_div_factor", { $0 > 0 }, "a number > 0")
        try require("patience", { $0 >= 0 && $0 == $0.rounded() && $0 <= 1e9 }, "a whole number ≥ 0")
        try require("cooldown", { $0 >= 0 && $0 == $0.rounded() && $0 <= 1e9 }, "a whole number ≥ 0")
        try require("threshold", { $0 >= 0 }, "a number ≥ 0")
        try require("min_lr", { $0 >= 0 }, "a number ≥ 0")
        if kind == .plateau, parameters["factor"].map({ $0 >= 1 }) == true {
            throw InputError("schedule plateau: factor = \(Self.number(parameters["factor"]!)) is invalid; expected a number in (0, 1)")
        }
        if kind == .plateau, unit == .step { throw InputError("schedule plateau is per epoch: it watches a metric at the end of each") }
    }

    /// Whether the schedule can run under `convention`: PyTorch's `LinearLR` needs a warm-up
    /// start above 0.
    public func check(for convention: Convention) throws {
        if kind == .cosine, convention == .pytorch, (parameters["warmup"] ?? 0) > 0, let start = parameters["start"], start <= 0 {
            throw InputError("schedule cosine: PyTorch's warm-up (LinearLR) needs start > 0, got \(Self.number(start)); leave it out for PyTorch's 1/3")
        }
    }

    /// Whole numbers without a decimal point (`steps=95`), others as CSV writes them.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : CSV.number(value)
    }

    /// The learning rate for unit `k` (0-based) from the optimizer's `lr`, under `convention`.
    public func rate(_ k: Int, base eta: Double, convention: Convention) -> Double {
        let k = Double(k)
        switch kind {
        case .constant:
            return eta
        case .step:
            return eta * pow(parameters["factor"]!, (k / parameters["every"]!).rounded(.down))
        case .multistep:
            let passed = milestones.filter { convention == .keras ? Double($0) < k : Double($0) <= k }.count
            return eta * pow(parameters["factor"]!, Double(passed))
        case .exponential:
            return eta * pow(parameters["factor"]!, k)
        case .cosine:
            let steps = parameters["steps"]!, warmup = parameters["warmup"]!, final = parameters["final"]!
            let start = parameters["start"] ?? (convention == .keras ? 0 : 1.0 / 3)
            if convention == .keras {
                let clamped = min(k, steps + warmup)
                if clamped < warmup { return (eta - start * eta) * (clamped / warmup) + start * eta }
                let cosine = 0.5 * (1 + cos(Double.pi * ((clamped - warmup) / steps)))
                return eta * ((1 - final) * cosine + final)
            }
            if k < warmup { return eta * (start + (1 - start) * k / warmup) }
            let floor = final * eta
            return floor + (eta - floor) * (1 + cos(Double.pi * (k - warmup) / steps)) / 2
        case .plateau:
            return eta   // the rate the plateau state holds is applied by the optimizer instance
        case .onecycle:
            let total = parameters["steps"]!, initial = eta / parameters["div_factor"]!
            let minimum = initial / parameters["final_div_factor"]!
            let firstEnd = parameters["pct_start"]! * total - 1, lastEnd = total - 1
            func anneal(_ from: Double, _ to: Double, _ fraction: Double) -> Double { to + (from - to) / 2 * (1 + cos(Double.pi * fraction)) }
            if k <= firstEnd { return anneal(initial, eta, k / firstEnd) }
            return anneal(eta, minimum, (k - firstEnd) / (lastEnd - firstEnd))
        }
    }
}

/// What `plateau` remembers between epochs, and its rule in each framework.
struct PlateauState {
    var best = Double.infinity
    var wait = 0
    var cooldown = 0
    var rate: Double

    /// The metric at the end of an epoch; the rate for the next one.
    mutating func observe(_ metric: Double, schedule: LearningRateSchedule, convention: Convention) {
        let p = schedule.parameters
        let factor = p["factor"]!, patience = Int(p["patience"]!), threshold = p["threshold"]!
        let cooldownLength = Int(p["cooldown"]!), minimum = p["min_lr"]!
        switch convention {
        case .keras:
            // keras.callbacks.ReduceLROnPlateau (mode min): better below best − min_delta;
            // reduce once `wait` reaches patience; the rate only if it is above min_lr (as float32).
            if cooldown > 0 { cooldown -= 1; wait = 0 }
            if metric < best - threshold {
                best = metric
                wait = 0
            } else if cooldown == 0 {
                wait += 1
                if wait >= patience, rate > Double(Float(minimum)) {
                    rate = max(rate * factor, minimum)
                    cooldown = cooldownLength
                    wait = 0
                }
            }
        case .pytorch:
            // torch.optim.lr_scheduler.ReduceLROnPlateau (mode min, threshold_mode rel):
            // better below best·(1 − threshold); reduce once the bad epochs exceed patience,
            // when the change is above eps = 1e-8.
            if metric < best * (1 - threshold) {
                best = metric
                wait = 0
            } else {
                wait += 1
            }
            if cooldown > 0 { cooldown -= 1; wait = 0 }
            if wait > patience {
                let reduced = max(rate * factor, minimum)
                if rate - reduced > 1e-8 { rate = reduced }
                cooldown = cooldownLength
                wait = 0
            }
        }
    }
}
