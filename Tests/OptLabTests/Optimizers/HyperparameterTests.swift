import Testing
import OptLab
import OptLabCommands

/// The defaults every optimizer declares, pinned: the doc comments, `optlab list
/// optimizers` and README's table must all say the same.
@Suite("Optimizers: defaults and validation")
struct HyperparameterTests {
    static let pinned: [OptimizerKind: [Convention: [String: Double]]] = [
        .sgd: [.keras: ["lr": 0.01], .pytorch: ["lr": 1e-3]],
        .momentum: [.keras: ["lr": 0.01, "momentum": 0.9], .pytorch: ["lr": 1e-3, "momentum": 0.9]],
        .nesterov: [.keras: ["lr": 0.01, "momentum": 0.9], .pytorch: ["lr": 1e-3, "momentum": 0.9]],
        .adagrad: [.keras: ["lr": 1e-3, "initial_accumulator_value": 0.1, "epsilon": 1e-7],
                   .pytorch: ["lr": 1e-2, "initial_accumulator_value": 0, "epsilon": 1e-10]],
        .rmsprop: [.keras: ["lr": 1e-3, "rho": 0.9, "momentum": 0, "epsilon": 1e-7],
                   .pytorch: ["lr": 1e-2, "rho": 0.99, "momentum": 0, "epsilon": 1e-8]],
        .adadelta: [.keras: ["lr": 1e-3, "rho": 0.95, "epsilon": 1e-7], .pytorch: ["lr": 1.0, "rho": 0.9, "epsilon": 1e-6]],
        .adam: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": 0],
                .pytorch: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "amsgrad": 0]],
        .adamax: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7],
                  .pytorch: ["lr": 2e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8]],
        .nadam: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "momentum_decay": 1],
                 .pytorch: ["lr": 2e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "momentum_decay": 4e-3]],
        .adamw: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "weight_decay": 0.004, "amsgrad": 0, "decay_bias": 0],
                 .pytorch: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "weight_decay": 0.01, "amsgrad": 0, "decay_bias": 0]],
        // One framework each: both conventions take its defaults.
        .lion: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.99], .pytorch: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.99]],
        .radam: [.keras: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8],
                 .pytorch: ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8]],
    ]

    @Test("declared defaults equal the pinned table", arguments: OptimizerKind.allCases)
    func defaults(_ kind: OptimizerKind) throws {
        let pinned = try #require(Self.pinned[kind], "\(kind.rawValue) has no row in HyperparameterTests.pinned: add its defaults there")
        for convention in Convention.allCases {
            #expect(HyperparameterValues.defaults(kind, convention).values == pinned[convention])
        }
    }

    @Test("`optlab list optimizers` shows the pinned defaults")
    func listShowsDefaults() {
        let text = OptLabCommand.List.optimizersText()
        var current: OptimizerKind?
        var seen: [OptimizerKind: [Convention: [String: Double]]] = [:]
        for line in text.split(separator: "\n") {
            if !line.hasPrefix(" ") { current = OptimizerKind(rawValue: String(line)); continue }
            let words = line.split(separator: " ")
            let name = String(words[0])
            for word in words where word.hasPrefix("keras=") || word.hasPrefix("pytorch=") {
                let parts = word.split(separator: "=")
                let convention = Convention(rawValue: String(parts[0]))!
                seen[current!, default: [:]][convention, default: [:]][name] = Double(parts[1])
            }
        }
        #expect(seen == Self.pinned)
    }

    @Test("invalid values are rejected with the value and the allowed range", arguments: [
        (OptimizerKind.sgd, "lr", -0.1, "expected a finite number ≥ 0"),
        (.rmsprop, "rho", 1.0, "expected a number in [0, 1)"),
        (.adam, "beta_1", -0.1, "expected a number in [0, 1)"),
        (.adam, "beta_2", 1.5, "expected a number in [0, 1)"),
        (.adam, "epsilon", 0, "expected a finite number > 0"),
        (.nadam, "epsilon", -1e-8, "expected a finite number > 0"),
        (.momentum, "momentum", 1.0, "expected a number in [0, 1)"),
        (.adagrad, "lr", .nan, "expected a finite number ≥ 0"),
        (.adam, "amsgrad", 2, "expected true or false"),
        (.adamw, "weight_decay", -0.01, "expected a finite number ≥ 0"),
        (.lion, "beta_2", 1, "expected a number in [0, 1)"),
        (.radam, "epsilon", 0, "expected a finite number > 0"),
    ])
    func invalidValues(kind: OptimizerKind, name: String, value: Double, expected: String) {
        let error = #expect(throws: InputError.self) {
            try OptimizerSpec(kind: kind, overrides: [name: value]).make()
        }
        #expect(error?.message.contains("\(name) = \(value)") == true)
        #expect(error?.message.contains(expected) == true)
    }

    @Test("--set reads true/false for switches, numbers otherwise; the errors say which was expected")
    func commandLineSwitches() throws {
        func spec(_ arguments: [String]) throws -> OptimizerSpec { try OptimizerOptions.parse(arguments).spec() }
        #expect(try spec(["--optimizer", "adam", "--set", "amsgrad=true"]).resolvedValues()["amsgrad"] == 1)
        #expect(try spec(["--optimizer", "adamw", "--set", "amsgrad=false", "--set", "weight_decay=0.1"]).resolvedValues().values
                    == ["lr": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "weight_decay": 0.1, "amsgrad": 0, "decay_bias": 0])
        let notSwitch = #expect(throws: InputError.self) { try spec(["--optimizer", "adam", "--set", "amsgrad=yes"]) }
        #expect(notSwitch?.message == "--set amsgrad: 'yes' is not true or false")
        let notNumber = #expect(throws: InputError.self) { try spec(["--optimizer", "adam", "--set", "beta_1=true"]) }
        #expect(notNumber?.message == "--set beta_1: 'true' is not a number")
        let misplaced = #expect(throws: InputError.self) { try spec(["--optimizer", "lion", "--set", "weight_decay=0.1"]) }
        #expect(misplaced?.message.contains("lion has no hyperparameter 'weight_decay'") == true)
        let typo = #expect(throws: InputError.self) { try OptimizerKind.parse("adamv") }
        #expect(typo?.message.contains("did you mean 'adam") == true)
        #expect(OptLabCommand.List.optimizersText().contains("lion\n  (PyTorch has no lion: both conventions follow Keras's rule and defaults)"))
        #expect(OptLabCommand.List.optimizersText().contains("radam\n  (Keras has no radam: both conventions follow PyTorch's rule and defaults)"))
    }

    @Test("suites read amsgrad: true and grids of switches; other values are errors with their line")
    func suiteSwitches() throws {
        let suite = try Suite.parse("""
            name: s
            optimizers: [{name: adamw, set: {amsgrad: true}}, {name: adam, grid: {amsgrad: [false, true]}}]
            problems: [{surface: {surface: quadratic, steps: 10}}]
            """, file: "s.yaml")
        let values = try suite.expand().map { try $0.optimizer.resolvedValues()["amsgrad"] }
        #expect(values == [1, 0, 1])
        let error = #expect(throws: InputError.self) {
            try Suite.parse("name: s\noptimizers: [{name: adam, set: {amsgrad: 3}}]\nproblems: [{surface: {surface: quadratic, steps: 10}}]\n", file: "s.yaml")
        }
        #expect(error?.line == 2 && error?.message == "amsgrad must be true or false, got '3'")
    }

    @Test("unknown names suggest the nearest valid one")
    func unknownNames() {
        let optimizer = #expect(throws: InputError.self) { try OptimizerKind.parse("rmsporp") }
        #expect(optimizer?.message.contains("did you mean 'rmsprop'?") == true)
        let parameter = #expect(throws: InputError.self) {
            try OptimizerSpec(kind: .adam, overrides: ["beta1": 0.9]).make()
        }
        #expect(parameter?.message.contains("did you mean 'beta_1'?") == true)
        let convention = #expect(throws: InputError.self) { try Convention.parse("torch") }
        #expect(convention?.message.contains("valid: keras, pytorch") == true)
    }
}
