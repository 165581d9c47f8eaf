import Foundation

/// Which steps of a surface descent trajectories.csv keeps. The start, the last step and
/// the step each target was first reached are always kept; final metrics, targets and the
/// summary are computed from every step whatever is kept.
public enum RecordPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Every step up to ``autoLimit`` steps; beyond, every ⌈steps/limit⌉-th (the default).
    case auto
    /// Every step.
    case every
    /// Every k-th step.
    case everyK(Int)
    /// About ``autoLimit`` steps spaced geometrically: dense at the start, sparse later.
    case log
    /// The start and the last step only.
    case final

    /// The rows per run `auto` and `log` aim at.
    public static let autoLimit = 1000

    public var description: String {
        switch self {
        case .auto: "auto"
        case .every: "every"
        case .everyK(let k): "every \(k)"
        case .log: "log"
        case .final: "final"
        }
    }

    /// The steps kept of a descent of `steps` steps, besides the always-kept ones.
    public func kept(steps: Int) -> (Int) -> Bool {
        switch self {
        case .every: return { _ in true }
        case .auto:
            let k = max(1, (steps + Self.autoLimit - 1) / Self.autoLimit)
            return { $0 % k == 0 }
        case .everyK(let k): return { $0 % k == 0 }
        case .final: return { $0 == 0 }
        case .log:
            // round(steps^(i/L)) for i = 0…L: every early step, then geometrically sparser.
            var set: Set<Int> = [0]
            let limit = Double(Self.autoLimit)
            for i in 0...Self.autoLimit { set.insert(Int((pow(Double(max(steps, 1)), Double(i) / limit)).rounded())) }
            return { set.contains($0) }
        }
    }

    /// The rows of `trajectory` to record: the policy's steps, the last one, and `always`.
    public func filter(_ trajectory: [Descent.Step], always: Set<Int>) -> [Descent.Step] {
        guard let last = trajectory.last?.step else { return [] }
        let keep = kept(steps: last)
        return trajectory.filter { keep($0.step) || $0.step == last || always.contains($0.step) }
    }
}
