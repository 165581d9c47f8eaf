import Foundation
import Testing
import OptLab

@Suite("Experiments: suites, grids and validation")
struct SuiteParsingTests {
    static let example = """
        name: example
        seed: 5
        repeats: 2
        optimizers:
          - sgd
          - name: momentum
            grid: {momentum: [0.5, 0.9]}
          - name: adam
            convention: pytorch
            set: {beta_2: 0.99}
        grid:
          lr: {from: 1.0e-3, to: 1.0e-1, per_decade: 2}
          l2: [0, 1.0e-4]
        problems:
          - surface: {surface: rosenbrock, steps: 10, start: [[-1, 1], [0, 2]], targets: {loss: 0.1}}
          - network: {dataset: mnist, layers: [8], epochs: 1, batch_size: 16, targets: {val_acc: 0.9}}
        """

    @Test("grid expansion: counts, per-optimizer grids, log ranges, network-only keys")
    func expansion() throws {
        let suite = try Suite.parse(Self.example, file: "example.yaml")
        // lr from 1e-3 to 1e-1 at 2 per decade: 1e-3, 3.16e-3, 1e-2, 3.16e-2, 1e-1.
        #expect(suite.grid["lr"] == [1e-3, 0.00316227766017, 1e-2, 0.0316227766017, 0.1].map(GridValue.number))
        let runs = suite.expand()
        // Surface (l2 does not apply; no noise, so one run per setting whatever repeats says):
        // sgd 5 lr, momentum 5 lr × 2 μ, adam 5 lr = 20 settings × 2 starts = 40.
        // Network: the same 20 settings × 2 l2 × 2 repeats = 80.
        #expect(runs.count == 120)
        #expect(runs.map(\.index) == Array(0..<120))
        #expect(Set(runs.map(\.id)).count == 120)
        let momentum = runs.filter { $0.optimizer.kind == .momentum && $0.problemIndex == 0 }
        #expect(Set(momentum.map { $0.optimizer.overrides["momentum"]! }) == [0.5, 0.9])
        #expect(runs.filter { $0.problemIndex == 0 }.allSatisfy { $0.settings["l2"] == nil })
        #expect(runs.filter { $0.problemIndex == 1 }.allSatisfy { $0.settings["l2"] != nil })
        let adam = try #require(runs.first { $0.optimizer.kind == .adam })
        #expect(adam.optimizer.convention == .pytorch && adam.optimizer.overrides["beta_2"] == 0.99)
        #expect(LogRange.values(from: 1e-4, to: 1, perDecade: 1) == [1e-4, 1e-3, 1e-2, 1e-1, 1])
    }

    @Test("run ids do not depend on key order; seeds depend on the repeat only")
    func stableIDs() throws {
        let reordered = """
            repeats: 2
            problems:
              - network: {targets: {val_acc: 0.9}, batch_size: 16, epochs: 1, layers: [8], dataset: mnist}
              - surface: {start: [[-1, 1], [0, 2]], steps: 10, surface: rosenbrock, targets: {loss: 0.1}}
            grid:
              l2: [0, 1.0e-4]
              lr: {per_decade: 2, to: 1.0e-1, from: 1.0e-3}
            optimizers:
              - sgd
              - {grid: {momentum: [0.5, 0.9]}, name: momentum}
              - {set: {beta_2: 0.99}, convention: pytorch, name: adam}
            seed: 5
            name: example
            """
        let a = try Suite.parse(Self.example, file: "a.yaml").expand()
        let b = try Suite.parse(reordered, file: "b.yaml").expand()
        #expect(Set(a.map(\.id)) == Set(b.map(\.id)))
        // Every run of repeat r shares one seed, whatever its optimizer or problem.
        #expect(Set(a.filter { $0.repeatIndex == 0 }.map(\.seed)).count == 1)
        #expect(Set(a.map(\.seed)).count == 2)
        let other = try Suite.parse(Self.example.replacingOccurrences(of: "seed: 5", with: "seed: 6"), file: "c.yaml").expand()
        #expect(Set(other.map(\.seed)).isDisjoint(with: Set(a.map(\.seed))))
    }

    static let minimal = "name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: 5}\n"

    @Test("each validation error names the line, the column and what was expected", arguments: [
        ("name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: 5}\nrepeat: 3\n", 5, 1, "unknown key 'repeat'; did you mean 'repeats'?"),
        ("name: t\noptimizers: [sgd, rmsporp]\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 2, 19, "did you mean 'rmsprop'?"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: rosenbrok, steps: 5}\n", 4, 24, "did you mean 'rosenbrock'?"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnst, epochs: 1, batch_size: 8}\n", 4, 24, "did you mean 'mnist'?"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: ten}\n", 4, 38, "steps must be a whole number from 1 to 1000000, got 'ten'"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth, steps: 0}\n", 4, 38, "steps must be from 1 to 1000000, got 0"),
        ("name: t\noptimizers: [{name: adam, set: {beta_1: 1.5}}]\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 2, 32, "beta_1 = 1.5 is invalid; expected a number in [0, 1)"),
        ("name: t\noptimizers: [sgd]\ngrid: {lr: []}\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 3, 12, "grid 'lr' is empty"),
        ("name: t\noptimizers: [sgd]\ngrid: {lr: [-0.1]}\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 3, 12, "lr -0.1 is invalid"),
        ("name: t\noptimizers: [sgd]\ngrid: {momentum: [0.9]}\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 3, 18, "'momentum' is not a hyperparameter of any optimizer"),
        ("name: t\noptimizers: [sgd]\ngrid: {lr: {from: 1, to: 0.1, per_decade: 2}}\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 3, 12, "0 < from ≤ to"),
        ("name: t\noptimizers: []\nproblems:\n  - surface: {surface: booth, steps: 5}\n", 2, 13, "non-empty 'optimizers' list"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - surface: {surface: booth}\n", 4, 14, "needs 'steps'"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnist, epochs: 1, batch_size: 8, dropout: 1.2}\n", 4, 66, "dropout rates must be in [0, 1)"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnist, epochs: 1, batch_size: 8, activation: rleu}\n", 4, 69, "did you mean 'relu'?"),
        ("name: t\noptimizers: [sgd]\nproblems: [\n", 4, 1, "YAML syntax error"),
        ("name: t\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnist, epochs: 1, batch_size: 8, validation: 0, targets: {val_acc: 0.9}}\n", 4, 14, "target 'val_acc' needs a validation set"),
    ])
    func validationErrors(text: String, line: Int, column: Int, fragment: String) {
        let error = #expect(throws: InputError.self) { _ = try Suite.parse(text, file: "bad.yaml") }
        #expect(error?.file == "bad.yaml")
        #expect(error?.line == line, "line of: \(error?.description ?? "")")
        #expect(error?.column == column, "column of: \(error?.description ?? "")")
        #expect(error?.message.contains(fragment) == true, "\(error?.description ?? "")")
    }

    @Test("the complete example of docs/suites.md is a valid suite")
    func documentedExample() throws {
        let text = try String(contentsOfFile: "docs/suites.md", encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let suite = try Suite.parse(String(text[start.upperBound..<end.lowerBound]), file: "docs/suites.md")
        #expect(suite.name == "example" && suite.problems.count == 3 && suite.optimizers.count == 5)
        guard case .deepobs(let deepOBS) = suite.problems[2] else { Issue.record("the third problem is not a deepobs problem"); return }
        #expect(deepOBS.shuffle == .tensorflow && deepOBS.tfSeed == 42 && deepOBS.epochs == 100)
        let adamw = suite.expand().filter { $0.optimizer.kind == .adamw }
        #expect(Set(adamw.map { $0.optimizer.schedule?.kind }) == [nil, .cosine])
        #expect(adamw.allSatisfy { $0.optimizer.overrides["amsgrad"] == 1 && $0.optimizer.overrides["weight_decay"] == 0.01 })
        // nadam's own lr list replaces the suite's range for nadam only.
        let nadam = suite.expand().filter { $0.optimizer.kind == .nadam }
        #expect(Set(nadam.map { $0.optimizer.overrides["lr"]! }) == [1e-3, 2e-3])
    }

    @Test("settings display whole numbers without their .0, and leave the rest alone")
    func settingDisplay() {
        #expect(SuiteSummary.display("32.0") == "32")
        #expect(SuiteSummary.display("0.0") == "0")
        #expect(SuiteSummary.display("-8.0") == "-8")
        #expect(SuiteSummary.display("0.01") == "0.01")
        #expect(SuiteSummary.display("1e-05") == "1e-05")
        #expect(SuiteSummary.display("300-100") == "300-100")
        #expect(SuiteSummary.display("relu") == "relu")
    }

    @Test("the shipped suites pass validation")
    func shippedSuites() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: "experiments").filter { $0.hasSuffix(".yaml") }.sorted()
        for name in ["surfaces", "optimizers-mnist", "optimizers-fashion-mnist", "fashion-quick", "showcase", "momentum-exercise",
                     "momentum-exercise-fashion", "depth", "regularization", "batch-size", "activations", "cluster-smoke"] {
            #expect(names.contains(name + ".yaml"), "experiments/\(name).yaml is missing")
        }
        for name in names {
            let suite = try Suite.load(path: "experiments/" + name)
            #expect(!suite.expand().isEmpty)
        }
        #expect(try Suite.load(path: "experiments/optimizers-mnist.yaml").expand().count == 9 * 4 * 3 * 3)
    }
}
