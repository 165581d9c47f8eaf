import Foundation
import Testing
import OptLab
import OptLabCommands

/// The registry drives everything that lists optimizers. A made-up optimizer
/// (`MadeUp/ClippedSGD.swift`) registered for the duration of a test is parsed, run,
/// listed, coloured and audited with no other change.
@Suite("Optimizers: the registry")
struct RegistryTests {
    static let extended: [any Optimizer.Type] = OptimizerRegistry.builtIn + [ClippedSGD.self]

    @Test("the built-in optimizers have no defects")
    func builtInIsSound() {
        #expect(OptimizerRegistry.defects(of: OptimizerRegistry.builtIn) == [])
        #expect(OptimizerKind.allCases.map(\.rawValue) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
                                                            "adam", "adamax", "nadam", "adamw", "lion", "radam"])
    }

    @Test("the audit names each defect and the optimizer it belongs to")
    func defectsAreNamed() {
        struct SameColour: Optimizer {
            static let name = "Same-Colour"
            static let color = SGD.color
            static func referenceDescents(_ _: Convention) -> ReferenceDescents.Pair {
                ReferenceDescents.Pair(quadratic: (0, 10), rosenbrock: (1e-3, 0))
            }
            let convention: Convention
            let learningRate = 0.1
            static func hyperparameters(for convention: Convention) -> [Hyperparameter] {
                [Hyperparameter("rate", "η", -1, .nonNegative, "a learning rate under the wrong name")]
            }
            init(convention: Convention, values: HyperparameterValues) { self.convention = convention }
            func makeInstance<Scalar: OptimizerScalar>(parameterCount: Int) -> OptimizerInstance<Scalar> {
                OptimizerInstance(parameterCount: parameterCount, learningRate: 0) { _, _ in { _, _, _ in } }
            }
        }
        let defects = OptimizerRegistry.defects(of: [SGD.self, SameColour.self, ClippedSGD.self, ClippedSGD.self])
        #expect(defects == [
            "Same-Colour: the name must be lower-case letters, digits or '_'",
            "Same-Colour: colour \(SGD.color) is already sgd's",
            "Same-Colour (keras): no 'lr' hyperparameter",
            "Same-Colour (keras): default rate = -1.0 is outside a finite number ≥ 0",
            "Same-Colour (keras): reference descent on quadratic needs lr > 0 and steps > 0",
            "Same-Colour (keras): reference descent on rosenbrock needs lr > 0 and steps > 0",
            "Same-Colour (pytorch): no 'lr' hyperparameter",
            "Same-Colour (pytorch): default rate = -1.0 is outside a finite number ≥ 0",
            "Same-Colour (pytorch): reference descent on quadratic needs lr > 0 and steps > 0",
            "Same-Colour (pytorch): reference descent on rosenbrock needs lr > 0 and steps > 0",
            "clipsgd: colour #AA4499 is already clipsgd's",
            "clipsgd: registered 2 times",
        ])
    }

    @Test("a made-up optimizer, registered, is parsed, listed, coloured and audited")
    func madeUpIsEverywhere() throws {
        try OptimizerRegistry.$registered.withValue(Self.extended) { () throws -> Void in
            #expect(OptimizerRegistry.defects(of: OptimizerRegistry.registered) == [])
            let parsed = try OptimizerKind.parse("ClipSGD")
            #expect(parsed == ClippedSGD.kind)
            let typo = #expect(throws: InputError.self) { try OptimizerKind.parse("clipsg") }
            #expect(typo?.message.contains("did you mean 'clipsgd'?") == true)
            #expect(PlotStyle.color("clipsgd") == "#AA4499")
            let listing = OptLabCommand.List.optimizersText()
            #expect(listing.contains("clipsgd\n  (PyTorch has no clipsgd: both conventions follow Keras's rule and defaults)\n"))
            #expect(listing.contains("  clip "))
            // Its missing framework replays are named, not crashed on.
            #expect(FrameworkReferenceTests.missingReplays(for: OptimizerKind.allCases) == [
                "clipsgd (keras): no framework replay at the defaults in frameworks.json",
                "clipsgd (keras): no framework replay with changed hyperparameters in frameworks.json",
                "clipsgd (pytorch): no framework replay at the defaults in frameworks.json",
                "clipsgd (pytorch): no framework replay with changed hyperparameters in frameworks.json",
            ])
            // Out of registry scope, the name is unknown again.
            #expect(OptimizerRegistry.$registered.withValue(OptimizerRegistry.builtIn) { OptimizerKind(rawValue: "clipsgd") } == nil)
        }
    }

    @Test("a made-up optimizer descends from the command line as derived by hand, with its own validation")
    func madeUpDescends() throws {
        let path = TestData.scratchRoot + "/optlab-\(UUID().uuidString)-clipped.csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try OptimizerRegistry.$registered.withValue(Self.extended) { () throws -> Void in
            let (code, message) = OptLabCommand.execute([
                "descend", "--surface", "quadratic", "--optimizer", "clipsgd", "--start=-8,3", "--steps", "2", "--csv", path,
            ])
            #expect(code == 0, "\(message ?? "")")
            // f = ½(x² + 10y²), ∇f = (x, 10y) = (−8, 30) at the start, clipped to (−1, 1):
            // (−7.9, 2.9), f = ½(62.41 + 84.1) = 73.255; then (−7.8, 2.8), f = ½(60.84 + 78.4) = 69.62.
            let rows = CSV.parse(try String(contentsOfFile: path, encoding: .utf8)).dropFirst()
            let numbers = rows.map { $0.map { Double($0)! } }
            let expected: [[Double]] = [[0, -8, 3, 77], [1, -7.9, 2.9, 73.255], [2, -7.8, 2.8, 69.62]]
            for (row, want) in zip(numbers, expected) {
                for (a, b) in zip(row, want) { #expect(abs(a - b) < 1e-12, "\(row) vs \(want)") }
            }
            let (bad, text) = OptLabCommand.execute([
                "descend", "--surface", "quadratic", "--optimizer", "clipsgd", "--set", "clip=0", "--steps", "2",
            ])
            #expect(bad == 2)
            #expect(text?.contains("clip = 0.0 is invalid; expected a finite number > 0") == true, "\(text ?? "")")
        }
    }

    @Test("a made-up optimizer reaches both reference minima and runs in a suite with two jobs")
    func madeUpConvergesAndRunsInSuite() throws {
        let root = TestData.scratchRoot + "/optlab-registry-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try OptimizerRegistry.$registered.withValue(Self.extended) { () throws -> Void in
            for (surface, tolerance) in [("quadratic", 1e-3), ("rosenbrock", 1e-2)] {
                let setting = try #require(ReferenceDescents.setting(surface: surface, kind: ClippedSGD.kind, convention: .keras))
                let spec = OptimizerSpec(kind: ClippedSGD.kind, overrides: setting.overrides)
                let result = Descent(surface: try Surface.named(surface), optimizer: try spec.make(), steps: setting.steps).run()
                #expect(try #require(result.distanceToMinimum) < tolerance, "\(surface)")
            }
            let suite = try Suite.parse("""
                name: madeup
                optimizers: [sgd, {name: clipsgd, grid: {clip: [0.5, 2]}}]
                grid: {lr: [0.01, 0.1]}
                problems:
                  - surface: {surface: quadratic, steps: 50}
                """, file: "madeup.yaml")
            try SuiteRunner(suite: suite, outputRoot: root, jobs: 2, log: { _ in }).run()
            let table = try RunsTable.read(root + "/madeup/runs.csv")
            #expect(table.records.filter { $0.optimizer == "clipsgd" }.count == 4)
            #expect(table.records.filter { $0.optimizer == "sgd" }.count == 2)
            #expect(table.records.allSatisfy { $0.status == .ok })
        }
    }
}
