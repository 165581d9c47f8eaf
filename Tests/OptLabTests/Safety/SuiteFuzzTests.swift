import Foundation
import Testing
import OptLab
import OptLabCommands

/// Mutated suites from a seeded generator: every outcome of `validate` must be exit 0 or
/// exit 2 with a message (a trap would end the test process), and accepted suites must
/// run without crashing.
@Suite("Safety: fuzzed suites", .serialized)
struct SuiteFuzzTests {
    /// The shipped suites.
    static func shipped() throws -> [String] {
        let folder = "experiments"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
    }

    /// A suite of surfaces only, so that accepted mutants can run quickly.
    static let small = """
            name: fuzz-small
            seed: 4
            repeats: 2
            optimizers:
              - sgd
              - name: momentum
                convention: pytorch
                grid: {momentum: [0.5, 0.9]}
              - name: adam
                set: {beta_2: 0.99}
            grid:
              lr: {from: 1.0e-3, to: 1.0e-1, per_decade: 1}
            problems:
              - surface: {surface: rosenbrock, steps: 50, start: [[-1, 1], [0, 2]], targets: {loss: 0.5}}
              - surface: {name: bowl, surface: quadratic, steps: 30, targets: {distance: 0.1}}
            """

    /// Replacement values: extreme numbers, wrong types, hostile names, aliases.
    static let replacements = [
        "9223372036854775807", "-9223372036854775808", "1.0e308", "-1", "0", "nan", ".inf", "1e-320", "99999999999999999999",
        "'q\" ; system \"id\" ; x=\"'", "\"../../../x\"", "'..'", "'.'", "[]", "{}", "[[[]]]", "~", "true", "\"\"",
        "*undefined", "&anchor value", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "{from: 1.0e-300, to: 1.0e300, per_decade: 1000}",
        "'\u{0}'", "\"\\u2028\"", "sgd", "adamx", "mnist", "relu", "[300, 100]",
    ]

    static let bomb = """
        a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        """

    /// One mutant of `text`: a few random edits drawn from `generator`.
    static func mutate(_ text: String, _ generator: inout SplitMix64) -> Data {
        var lines = text.components(separatedBy: "\n")
        func pick(_ n: Int) -> Int { Int(generator.next() % UInt64(max(n, 1))) }
        for _ in 0..<(1 + pick(3)) {
            let i = pick(lines.count)
            switch pick(9) {
            case 0: if lines.count > 1 { lines.remove(at: i) }
            case 1: lines.insert(lines[i], at: i)
            case 2, 3, 4:
                // Replace the value after a key's colon.
                if let colon = lines[i].firstIndex(of: ":") {
                    lines[i] = String(lines[i][...colon]) + " " + replacements[pick(replacements.count)]
                }
            case 5: lines.swapAt(i, pick(lines.count))
            case 6: lines.insert(bomb, at: 0); lines.insert("optimizers: *f", at: pick(lines.count))
            case 7: lines[i] = String(lines[i].prefix(pick(lines[i].count + 1)))
            default: lines.insert(String(repeating: " ", count: pick(6)) + "- " + replacements[pick(replacements.count)], at: i)
            }
        }
        var data = Data(lines.joined(separator: "\n").utf8)
        if pick(20) == 0, !data.isEmpty { data[pick(data.count)] = 0xFF }
        return data
    }

    @Test("600 mutated suites: each is accepted or refused with located messages; accepted small ones run")
    func fuzz() throws {
        let shipped = try Self.shipped()
        // Half of the mutants come from the small suite, on a stream of their own, so
        // that editing a shipped suite does not change which small mutants run.
        var generator = SplitMix64(seed: 20261128), smallGenerator = SplitMix64(seed: 91)
        let root = TestData.scratchRoot + "/optlab-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var accepted = 0, refused = 0, ran = 0, small = 0
        for index in 0..<600 {
            let data = index % 2 == 1 ? Self.mutate(Self.small, &smallGenerator) : Self.mutate(shipped[index % shipped.count], &generator)
            let path = root + "/m\(index).yaml"
            FileManager.default.createFile(atPath: path, contents: data)
            let (code, message) = OptLabCommand.execute(["validate", path])
            #expect(code == 0 || code == 2, "mutant \(index): exit \(code)")
            if code == 2 {
                refused += 1
                let lines = (message ?? "").split(separator: "\n")
                #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("optlab: error: \(path)") }, "mutant \(index): \(message ?? "")")
                #expect((message ?? "").count < 20_000, "mutant \(index): the message echoes the file")
                continue
            }
            accepted += 1
            if (try? Suite.load(path: path))?.name == "fuzz-small" { small += 1 }
            // Run the accepted suites of surfaces only that stay small.
            guard let suite = try? Suite.load(path: path), ran < 25,
                  suite.problems.allSatisfy({ if case .surface(let p) = $0 { p.steps <= 5_000 } else { false } }),
                  suite.expand().count <= 100 else { continue }
            ran += 1
            try SuiteRunner(suite: suite, outputRoot: root + "/results-\(index)", jobs: 2, log: { _ in }).run()
            let rows = try ResultsStore.readRows(root + "/results-\(index)/\(suite.name)/runs.csv")
            #expect(rows.count == suite.expand().count + 1)
        }
        // The generator must exercise both outcomes for the test to mean anything.
        #expect(refused > 100 && accepted > 20 && ran > 5, "refused \(refused), accepted \(accepted), ran \(ran), of them small: \(small)")
    }
}
