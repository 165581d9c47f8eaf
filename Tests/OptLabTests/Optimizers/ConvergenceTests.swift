import Testing
import OptLab

/// Every optimizer, in both conventions, reaches the minimum of the quadratic bowl
/// (within 1e-3) and of Rosenbrock (within 1e-2) with the learning rate and step count
/// documented in ``ReferenceDescents``. No case is excluded.
@Suite("Optimizers: convergence table")
struct ConvergenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var surface: String
        var kind: OptimizerKind
        var convention: Convention
        var tolerance: Double
        var testDescription: String { "\(kind.rawValue) on \(surface) (\(convention.rawValue))" }
    }

    static let cases: [Case] = Convention.allCases.flatMap { convention in
        OptimizerKind.allCases.flatMap { kind in
            [Case(surface: "quadratic", kind: kind, convention: convention, tolerance: 1e-3),
             Case(surface: "rosenbrock", kind: kind, convention: convention, tolerance: 1e-2)]
        }
    }

    @Test(arguments: cases)
    func reachesMinimum(_ c: Case) throws {
        let setting = try #require(ReferenceDescents.setting(surface: c.surface, kind: c.kind, convention: c.convention))
        let spec = OptimizerSpec(kind: c.kind, convention: c.convention, overrides: setting.overrides)
        let surface = try Surface.named(c.surface)
        let result = Descent(surface: surface, optimizer: try spec.make(), steps: setting.steps).run()
        #expect(result.status == .ok)
        #expect(result.final.step == setting.steps)
        let distance = try #require(result.distanceToMinimum)
        #expect(distance < c.tolerance, "ended \(distance) from the minimum at \(result.final.point)")
    }
}
