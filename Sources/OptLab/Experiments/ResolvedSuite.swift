import Foundation
import Yams

/// What a results folder keeps of its suite, so that it is self-contained: `plot`,
/// `report`, `merge` and `compare` read the folder alone, and a folder copied to another
/// machine (or whose source file was edited or deleted) plots and reports the same.
///
/// - `suite.yaml`: the source file's text as it was run;
/// - `suite.resolved.yaml`: the suite after defaults, written by the YAML library: its
///   digest, every problem's definition, and every run with its id, settings and seed.
public enum ResolvedSuite {
    public struct Document: Codable, Equatable {
        public var name: String
        public var digest: String
        public var source: String
        public var seed: UInt64
        public var repeats: Int
        public var runCount: Int
        public var problems: [ProblemEntry]
        public var runs: [RunEntry]

        enum CodingKeys: String, CodingKey {
            case name, digest, source, seed, repeats, problems, runs
            case runCount = "run_count"
        }
    }

    public struct ProblemEntry: Codable, Equatable {
        public var name: String
        public var type: String
        /// The problem's definition, field by field (`compare` names the field that differs).
        public var definition: [String: String]
    }

    public struct RunEntry: Codable, Equatable {
        public var id: String
        public var index: Int
        public var problem: String
        public var optimizer: String
        public var convention: String
        public var hyperparameters: [String: Double]
        public var swept: [String: String]
        public var `repeat`: Int
        public var seed: UInt64
        /// Under a tuning protocol: `tune` or `confirm`, and the trial of the setting.
        public var phase: String?
        public var trial: Int?
        /// The learning-rate schedule in its text form (absent: constant).
        public var schedule: String?

        public init(id: String, index: Int, problem: String, optimizer: String, convention: String, hyperparameters: [String: Double],
                    swept: [String: String], repeat: Int, seed: UInt64, phase: String?, trial: Int?, schedule: String? = nil) {
            self.schedule = schedule
            self.id = id; self.index = index; self.problem = problem; self.optimizer = optimizer; self.convention = convention
            self.hyperparameters = hyperparameters; self.swept = swept; self.repeat = `repeat`; self.seed = seed
            self.phase = phase; self.trial = trial
        }
    }

    public static let sourceName = "suite.yaml"
    public static let resolvedName = "suite.resolved.yaml"

    /// The definition of a problem as fields, from its identity (everything that changes
    /// a run's numbers) plus its targets.
    static func definition(_ problem: Suite.Problem) -> [String: String] {
        var fields: [String: String] = [:]
        for part in problem.identity.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        fields["targets"] = problem.targets.map { "\($0.metric)=\(CSV.number($0.value))" }.joined(separator: ",")
        return fields
    }

    public static func document(_ suite: Suite, runs: [RunSpec]) -> Document {
        Document(
            name: suite.name, digest: suite.digest, source: suite.file, seed: suite.seed, repeats: suite.repeats, runCount: runs.count,
            problems: suite.problems.map { problem in
                ProblemEntry(name: problem.name, type: problem.typeName, definition: definition(problem))
            },
            runs: runs.map { run in
                RunEntry(id: run.id, index: run.index, problem: suite.problems[run.problemIndex].name,
                         optimizer: run.optimizer.kind.rawValue, convention: run.optimizer.convention.rawValue,
                         hyperparameters: (try? run.optimizer.resolvedValues().values) ?? [:],
                         swept: run.settings.mapValues(\.description), repeat: run.repeatIndex, seed: run.seed,
                         phase: run.phase?.rawValue, trial: run.trial, schedule: run.optimizer.schedule?.description)
            })
    }

    /// Writes `suite.yaml` (the source text) and `suite.resolved.yaml` into `directory`.
    public static func write(_ suite: Suite, runs: [RunSpec], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let header = "# Written by optlab run from \(suite.file); read by optlab merge, plot, report and compare.\n"
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        // Everything but the runs in one document by the YAML library; the runs, a block
        // sequence under `runs:`, written entry by entry (``yaml(_:)``): a suite of 10,000
        // runs neither builds one YAML tree of them all nor spends a second encoding them.
        var document = document(suite, runs: runs)
        let entries = document.runs
        document.runs = []
        var body = try encoder.encode(document).replacingOccurrences(of: "\nruns: []\n", with: "\n")
        body += entries.isEmpty ? "runs: []\n" : "runs:\n"
        for entry in entries { body += yaml(entry) }
        try Data((header + body).utf8).write(to: URL(fileURLWithPath: directory + "/" + resolvedName), options: .atomic)
        try Data(suite.source.utf8).write(to: URL(fileURLWithPath: directory + "/" + sourceName), options: .atomic)
    }

    /// One run as an item of the `runs:` block sequence, keys sorted as the library sorts
    /// them. Strings are double-quoted with every control or line-breaking character escaped,
    /// numbers written so that they read back exactly (`.nan`, `.inf` for non-finite ones).
    public static func yaml(_ entry: RunEntry) -> String {
        func map(_ values: [String: String]) -> String {
            values.isEmpty ? " {}\n" : "\n" + values.keys.sorted().map { "    \(quoted($0)): \(values[$0]!)\n" }.joined()
        }
        var lines = "- convention: \(quoted(entry.convention))\n"
        lines += "  hyperparameters:" + map(entry.hyperparameters.mapValues(number))
        lines += "  id: \(quoted(entry.id))\n  index: \(entry.index)\n  optimizer: \(quoted(entry.optimizer))\n"
        if let phase = entry.phase { lines += "  phase: \(quoted(phase))\n" }
        lines += "  problem: \(quoted(entry.problem))\n  repeat: \(entry.repeat)\n"
        if let schedule = entry.schedule { lines += "  schedule: \(quoted(schedule))\n" }
        lines += "  seed: \(entry.seed)\n"
        lines += "  swept:" + map(entry.swept.mapValues(quoted))
        if let trial = entry.trial { lines += "  trial: \(trial)\n" }
        return lines
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A YAML number that reads back to the same Double.
    static func number(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        return "\(value)"
    }

    /// The resolved document of a results folder, if it has one this version can read.
    public static func read(in directory: String) throws -> Document? {
        let path = directory + "/" + resolvedName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try InputFile.utf8Text(try InputFile.read(path, what: "resolved suite", limit: 1 << 30), file: path)
        do {
            return try YAMLDecoder().decode(Document.self, from: text)
        } catch {
            return nil
        }
    }

    /// The digest recorded in a results folder, if any.
    public static func readDigest(in directory: String) throws -> String? {
        if let document = try read(in: directory) { return document.digest }
        // Folders written before the resolved file was YAML-encoded: a `digest:` line.
        guard let data = FileManager.default.contents(atPath: directory + "/" + resolvedName),
              let text = String(data: data, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("digest:") {
            return line.dropFirst("digest:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \""))
        }
        return nil
    }

    /// The suite a results folder was made from, read from the folder's own copy
    /// (`suite.yaml`); folders from before that copy existed fall back to the source path
    /// they recorded.
    public static func suite(in directory: String) throws -> Suite {
        let copy = directory + "/" + sourceName
        if FileManager.default.fileExists(atPath: copy) { return try Suite.load(path: copy) }
        guard let data = FileManager.default.contents(atPath: directory + "/" + resolvedName),
              let text = String(data: data, encoding: .utf8),
              let node = try? Yams.compose(yaml: text), let source = node["source"]?.string else {
            throw InputError("no \(sourceName) or \(resolvedName) in \(directory); is it a results folder?")
        }
        return try Suite.load(path: source)
    }
}
