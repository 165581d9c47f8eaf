import Foundation
import Testing
import OptLab

/// Suites as a stranger might write them: names that try to be code or paths, values
/// far out of range, the same run twice, broken YAML. Each must be refused by `validate`
/// with its location, before anything runs.
@Suite("Safety: hostile and mistaken suites")
struct HostileSuiteTests {
    static func errors(_ text: String) -> [InputError] {
        do {
            _ = try Suite.parse(text, file: "s.yaml")
            return []
        } catch let error as InputError {
            return error.all
        } catch {
            Issue.record("not an InputError: \(error)")
            return []
        }
    }

    static func surfaceSuite(name: String = "s", problemName: String? = nil, extra: String = "") -> String {
        """
        name: \(name)
        optimizers: [sgd]
        problems:
          - surface: {\(problemName.map { "name: \($0), " } ?? "")surface: quadratic, steps: 5}
        \(extra)
        """
    }

    @Test("names that are code or paths are refused, with their place", arguments: [
        #"'q" ; system "id > pwned2.txt" ; x="'"#, #""../../../../elsewhere/x""#, "'..'", "'.'", "'.hidden'", "'a/b'",
        #""a\nb""#, "'-rf'", "'" + String(repeating: "a", count: 65) + "'", "'`id`'", "'naïve'",
    ])
    func badNames(name: String) {
        for text in [Self.surfaceSuite(problemName: name), Self.surfaceSuite(name: name)] {
            let errors = Self.errors(text)
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.message.contains("a name is 1 to 64 characters") == true)
            #expect(errors.first?.line != nil && errors.first?.column != nil)
        }
    }

    @Test("names that follow the rule pass")
    func goodNames() throws {
        for name in ["a", "rosenbrock-2", "fashion_mnist.v2", String(repeating: "z", count: 64)] {
            #expect(try Suite.parse(Self.surfaceSuite(name: name, problemName: name), file: "s.yaml").problems[0].name == name)
        }
    }

    @Test("every error of a suite is reported at once, each with line and column")
    func allErrors() {
        let text = """
            name: three-typos
            optimizers: [adamx, {name: rmsprop, grid: {rho: [0.9, 5]}}]
            problems:
              - surface: {surface: rosenbrok, steps: 10}
              - network: {dataset: cifar10, epochs: 1, batch_size: 8, activaton: relu}
            """
        let errors = Self.errors(text)
        let messages = errors.map(\.message)
        #expect(errors.count == 5, "\(messages)")
        #expect(messages.contains { $0.contains("'adamx'") && $0.contains("did you mean 'adamax'") })
        #expect(messages.contains { $0.contains("rho = 5.0 is invalid") })
        #expect(messages.contains { $0.contains("'rosenbrok'") && $0.contains("did you mean 'rosenbrock'") })
        #expect(messages.contains { $0.contains("'cifar10'") && $0.contains("valid: mnist, fashion-mnist") })
        #expect(messages.contains { $0.contains("'activaton'") && $0.contains("did you mean 'activation'") })
        #expect(errors.allSatisfy { $0.file == "s.yaml" && $0.line != nil && $0.column != nil })
        #expect(errors.map(\.line!) == [2, 2, 4, 5, 5])
    }

    @Test("out-of-range values are refused before anything is expanded", arguments: [
        ("steps: 9223372036854775807", "steps must be from 1 to"),
        ("steps: 10000000000", "steps must be from 1 to"),
        ("repeats: 1000000000", "repeats must be from 1 to"),
        ("seed: 9007199254740992", "seed must be from 0 to"),
        ("per_decade: 9223372036854775807", "per_decade must be from 1 to"),
        ("layers: [1000000000]", "a layer width in layers must be from 1 to"),
        ("augment: {shift: 4611686018427387904}", "shift must be from 0 to"),
        ("augment: {rotate: 1.0e308}", "rotate must be ≥ 0 and ≤ 180"),
        ("epochs: 100000000", "epochs must be from 1 to"),
        ("batch_size: 100000000", "batch_size must be from 1 to"),
    ])
    func bounds(setting: String, expected: String) {
        let (key, value) = (String(setting.split(separator: ":")[0]), setting.drop { $0 != ":" }.dropFirst())
        let text: String
        switch key {
        case "steps": text = "name: b\noptimizers: [sgd]\nproblems:\n  - surface: {surface: quadratic, \(setting)}\n"
        case "repeats", "seed": text = "name: b\n\(setting)\noptimizers: [sgd]\nproblems:\n  - surface: {surface: quadratic, steps: 3}\n"
        case "per_decade": text = "name: b\noptimizers: [sgd]\ngrid: {lr: {from: 1.0e-3, to: 1, per_decade:\(value)}}\nproblems:\n  - surface: {surface: quadratic, steps: 3}\n"
        default:
            var keys = ["dataset: mnist", "epochs: 1", "batch_size: 8"].filter { !$0.hasPrefix(key + ":") }
            keys.append(setting)
            text = "name: b\noptimizers: [sgd]\nproblems:\n  - network: {\(keys.joined(separator: ", "))}\n"
        }
        let errors = Self.errors(text)
        #expect(errors.count == 1 && errors[0].message.contains(expected), "\(errors)")
        #expect(errors.first?.line == ["repeats": 2, "seed": 2, "per_decade": 3][key, default: 4])
    }

    @Test("a suite that would expand to too many runs is refused without expanding")
    func runCount() {
        let axis = "[" + (1...100).map { "\(Double($0) * 1e-3)" }.joined(separator: ", ") + "]"
        let text = """
            name: huge
            optimizers: [{name: adam, grid: {lr: \(axis), beta_1: \(axis), epsilon: \(axis)}}]
            problems:
              - surface: {surface: quadratic, steps: 3}
            """
        let errors = Self.errors(text)
        #expect(errors.count == 1 && errors[0].message.contains("expands to 1000000 runs; at most \(Limits.runs)"), "\(errors)")
    }

    @Test("suite-level grid values get the optimizers' own ranges", arguments: [
        ("rmsprop", "rho: [5]", "rmsprop: rho = 5.0 is invalid"),
        ("adam", "epsilon: [0]", "adam: epsilon = 0.0 is invalid"),
        ("adam", "beta_1: [1]", "adam: beta_1 = 1.0 is invalid"),
        ("momentum", "momentum: [-1]", "momentum: momentum = -1.0 is invalid"),
    ])
    func suiteGridRanges(optimizer: String, grid: String, expected: String) {
        let errors = Self.errors("name: g\noptimizers: [sgd, \(optimizer)]\ngrid: {\(grid)}\nproblems:\n  - surface: {surface: quadratic, steps: 3}\n")
        #expect(errors.count == 1 && errors[0].message.contains(expected), "\(errors)")
        #expect(errors.first?.line == 3)
    }

    @Test("the same run twice is an error naming both places")
    func duplicateRuns() {
        let entries = Self.errors("name: d\noptimizers:\n  - sgd\n  - name: sgd\nproblems:\n  - surface: {surface: quadratic, steps: 3}\n")
        #expect(entries.count == 1)
        #expect(entries.first?.message.contains("the optimizer entries at line 3, column 5 and at line 4, column 5 give the same run") == true, "\(entries)")
        let starts = Self.errors("name: d\noptimizers: [sgd]\nproblems:\n  - surface:\n      surface: quadratic\n      steps: 3\n      start:\n        - [1, 2]\n        - [0, 0]\n        - [1, 2]\n")
        #expect(starts.count == 1)
        #expect(starts.first?.message.contains("the start points at line 8, column 11 and at line 10, column 11") == true, "\(starts)")
        // A fixed lr in one entry and the same lr swept in another collide too.
        let swept = Self.errors("name: d\noptimizers:\n  - {name: sgd, set: {lr: 0.1}}\n  - {name: sgd, grid: {lr: [0.01, 0.1]}}\nproblems:\n  - surface: {surface: quadratic, steps: 3}\n")
        #expect(swept.count == 1 && swept.first?.line == 4, "\(swept)")
    }

    @Test("validation must leave training examples; data_dir must exist")
    func networkChecks() {
        let tooMany = Self.errors("name: n\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnist, epochs: 1, batch_size: 8, train_limit: 500, validation: 500}\n")
        #expect(tooMany.count == 1 && tooMany[0].message.contains("validation 500 leaves no training examples"), "\(tooMany)")
        let missing = Self.errors("name: n\noptimizers: [sgd]\nproblems:\n  - network: {dataset: mnist, epochs: 1, batch_size: 8, data_dir: /nonexistent/mnist}\n")
        #expect(missing.count == 1 && missing[0].message.contains("'/nonexistent/mnist' is not an existing folder"), "\(missing)")
    }

    @Test("duplicate keys and invalid UTF-8 get a place and no echo of the file")
    func yamlDamage() throws {
        let long = "name: a\n" + String(repeating: "# padding\n", count: 20_000) + "name: b\n"
        let duplicate = Self.errors(long)
        #expect(duplicate.count == 1 && duplicate[0].line != nil)
        #expect(duplicate[0].description.count < 300)
        let path = TestData.scratchRoot + "/bad-utf8.yaml"
        FileManager.default.createFile(atPath: path, contents: Data("name: ok\noptimizers: [sgd]\n# caf".utf8) + Data([0xC3, 0x28]) + Data("\n".utf8))
        let error = #expect(throws: InputError.self) { _ = try Suite.load(path: path) }
        #expect(error?.message.contains("invalid UTF-8") == true)
        #expect(error?.line == 3 && error?.column == 6)
        // Not a regular file: refused, never read (a FIFO would hang, /dev/zero never end).
        for device in ["/dev/zero", TestData.scratchRoot] {
            let refused = #expect(throws: InputError.self) { _ = try Suite.load(path: device) }
            #expect(refused?.message.contains("regular file") == true || refused?.message.contains("is a folder") == true)
        }
    }

    @Test("gnuplot text escaping: quotes, backquotes, enhanced-mode specials, line breaks")
    func gnuplotEscaping() throws {
        // In the script: \" for a quote, \\_ for a literal underscore, ' for a backquote.
        #expect(Gnuplot.text(#"q" ; system "id" ; x=""#) == #"q\" ; system \"id\" ; x=\""#)
        #expect(Gnuplot.text("lr_decay^2 `id`\nx") == #"lr\\_decay\\^2 'id' x"#)
        #expect(Gnuplot.text(#"a\b"#) == #"a\\\\b"#)
        #expect(Gnuplot.comment("two\nlines") == "two lines")
        try Gnuplot.checkFileName("rosenbrock-paths.dat")
        try Gnuplot.checkFileName("mnist-momentum-val_acc_0.97.gp")
        for bad in ["../x.gp", "a/b.dat", #"q";system("id").gp"#, ".hidden.png", ""] {
            #expect(throws: InputError.self) { try Gnuplot.checkFileName(bad) }
        }
    }

    @Test("did-you-mean ranks swaps, insertions and prefixes sensibly")
    func suggestions() {
        let optimizers = OptimizerKind.allCases.map(\.rawValue)
        #expect(NearestName.match("adamx", in: optimizers) == "adamax")
        #expect(NearestName.match("rmpsrop", in: optimizers) == "rmsprop")
        #expect(NearestName.match("nestrov", in: optimizers) == "nesterov")
        #expect(NearestName.match("adma", in: optimizers) == "adam")
        #expect(NearestName.match("fashion", in: DatasetName.allCases.map(\.rawValue)) == "fashion-mnist")
        #expect(NearestName.match("cifar10", in: DatasetName.allCases.map(\.rawValue)) == nil)
        #expect(NearestName.editDistance("ab", "ba") == 1)
        #expect(NearestName.editDistance("kitten", "sitting") == 3)
    }

    @Test("every closed set of names suggests the nearest one", arguments: [
        ("dataset: fashon-mnist", "did you mean 'fashion-mnist'"),
        ("activation: rleu", "did you mean 'relu'"),
        ("output: sofmax", "did you mean 'softmax'"),
        ("monitor: val_los", "did you mean 'val_loss'"),
        ("targets: {val_ac: 0.9}", "did you mean 'val_acc'"),
    ])
    func closedSets(setting: String, expected: String) {
        var network = "dataset: mnist, epochs: 1, batch_size: 8"
        if setting.hasPrefix("dataset") { network = "epochs: 1, batch_size: 8" }
        let errors = Self.errors("name: c\noptimizers: [sgd]\nproblems:\n  - network: {\(network), \(setting)}\n")
        #expect(errors.count == 1 && errors[0].message.contains(expected), "\(errors)")
        let surface = Self.errors("name: c\noptimizers: [{name: sgd, convention: pytorh}]\nproblems:\n  - surface: {surface: bael, steps: 3, targets: {los: 1}}\n")
        #expect(surface.map(\.message).filter { $0.contains("did you mean") }.count == 3, "\(surface)")
    }
}
