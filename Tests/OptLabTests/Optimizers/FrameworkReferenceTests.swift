import Foundation
import Testing
import OptLab

/// Descents computed by Keras 3 and PyTorch themselves (float64), replayed with
/// `Descent`: 200 steps of every optimizer in both conventions on the quadratic bowl,
/// Rosenbrock's valley and Beale's function at their default hyperparameters, and on the
/// quadratic with the other hyperparameters changed. `scripts/reference/frameworks.py`
/// wrote `Reference/frameworks.json` (its header names the framework versions).
@Suite("Optimizers: descents match Keras 3 and PyTorch")
struct FrameworkReferenceTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        var optimizer: String
        var convention: String
        var surface: String
        var start: [Double]
        var hyperparameters: [String: Double]
        var every: Int
        var points: [[Double]]
        /// A learning-rate schedule in OptLab's text form (Keras's or PyTorch's scheduler ran it).
        var schedule: String?
        var testDescription: String { "\(optimizer) \(convention) \(surface) \(hyperparameters)" + (schedule.map { " \($0)" } ?? "") }
    }

    struct File: Decodable {
        var keras: String
        var torch: String
        var steps: Int
        var cases: [Case]
    }

    static let file = TestData.reference("Tests/OptLabTests/Optimizers/Reference/frameworks.json", as: File.self)

    /// The replays `kinds` lack: for each optimizer and convention, one descent at the
    /// defaults and (for an optimizer with more than a learning rate) one with other values.
    static func missingReplays(for kinds: [OptimizerKind]) -> [String] {
        var seen = Set<String>()
        for c in file.cases { seen.insert("\(c.optimizer)/\(c.convention)/\(c.hyperparameters.count > 1)") }
        var missing: [String] = []
        for kind in kinds {
            for convention in Convention.allCases {
                if !seen.contains("\(kind.rawValue)/\(convention.rawValue)/false") {
                    missing.append("\(kind.rawValue) (\(convention.rawValue)): no framework replay at the defaults in frameworks.json")
                }
                if kind.type.hyperparameters(for: convention).count > 1, !seen.contains("\(kind.rawValue)/\(convention.rawValue)/true") {
                    missing.append("\(kind.rawValue) (\(convention.rawValue)): no framework replay with changed hyperparameters in frameworks.json")
                }
            }
        }
        return missing
    }

    @Test("the reference covers every registered optimizer in both conventions, with non-default settings")
    func coverage() {
        #expect(Self.missingReplays(for: OptimizerKind.allCases) == [])
        #expect(Self.file.cases.allSatisfy { $0.points.count * $0.every == Self.file.steps })
        // Every schedule type, in both conventions.
        let scheduled = Set(Self.file.cases.compactMap { c in c.schedule.map { "\($0.prefix { $0 != ":" })/\(c.convention)" } })
        for kind in LearningRateSchedule.Kind.allCases where kind != .constant {
            for convention in Convention.allCases { #expect(scheduled.contains("\(kind.rawValue)/\(convention.rawValue)")) }
        }
    }

    /// Points agree to 1e-8 (relative to the point's size, or absolute below 1). Both
    /// sides compute in float64 but round in different orders (Keras multiplies η·g before
    /// dividing by the root, for instance), and near a minimum an adaptive method's
    /// normalized steps amplify those last-bit differences: RMSprop with momentum on the
    /// quadratic drifts from 1e-16 at step 120 to 1.6e-9 at step 190. Even a change as
    /// small as Keras's Adam taking PyTorch's ε̂ = ε·√(1 − β₂ᵗ) (ε = 1e-7) moves points by
    /// 2e-7 and fails here.
    @Test("every point of every descent agrees to 1e-8", arguments: file.cases)
    func descent(_ c: Case) throws {
        let spec = OptimizerSpec(kind: try OptimizerKind.parse(c.optimizer), convention: try Convention.parse(c.convention),
                                 overrides: c.hyperparameters)
        var descent = Descent(surface: try Surface.named(c.surface), optimizer: try spec.make(),
                              start: Point(c.start[0], c.start[1]), steps: Self.file.steps)
        descent.schedule = try c.schedule.map(LearningRateSchedule.parse)
        let result = descent.run()
        #expect(result.status == .ok)
        for (index, want) in c.points.enumerated() {
            let step = (index + 1) * c.every
            let got = result.trajectory[step].point
            for (value, reference) in [(got.x, want[0]), (got.y, want[1])] {
                #expect(abs(value - reference) <= 1e-8 * max(1, abs(reference)),
                        "step \(step): \(value) against \(reference)")
            }
        }
    }
}
