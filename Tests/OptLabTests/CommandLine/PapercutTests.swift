import Foundation
import Testing
import OptLab
import OptLabCommands

/// What a new user meets in the first hour: scripts, versions, catalogues, messages.
@Suite("Command line: first-hour papercuts")
struct PapercutTests {
    @Test("every script the README runs directly (not through bash) is executable")
    func scriptsExecutable() throws {
        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"(^|[\s`"(])(scripts/[A-Za-z0-9_./-]+\.sh)"#, options: [.anchorsMatchLines])
        var direct: Set<String> = []
        for match in pattern.matches(in: readme, range: NSRange(readme.startIndex..., in: readme)) {
            let script = String(readme[Range(match.range(at: 2), in: readme)!])
            let before = readme[..<Range(match.range(at: 2), in: readme)!.lowerBound].suffix(5)
            if !before.hasSuffix("bash ") { direct.insert(script) }
        }
        #expect(direct.contains("scripts/slurm-local.sh"), "the README runs scripts/slurm-local.sh directly")
        for script in direct.sorted() {
            #expect(FileManager.default.isExecutableFile(atPath: script), "\(script) is run directly by the README but is not executable")
        }
    }

    @Test("--version prints the version and, from a checkout's build folder, the commit")
    func version() {
        let (code, message) = OptLabCommand.execute(["--version"])
        #expect(code == 0)
        #expect(message?.hasPrefix("optlab \(BuildInfo.version) (git commit ") == true, "\(message ?? "")")
        #expect(message?.hasSuffix("; OpenBLAS kernels: \(BLASThreads.coreName)") == true, "\(message ?? "")")
        #expect(BuildInfo.head(ofGitDirectory: "/nonexistent/.git") == nil)
    }

    @Test("list activations and datasets")
    func catalogues() {
        let activations = OptLabCommand.List.activationsText()
        for name in Activation.names + OptLabCommandTestsNames.outputs { #expect(activations.contains("  \(name) ")) }
        #expect(activations.contains("leaky_slope (--leaky-slope), default 0.01"))
        let missing = TestData.scratchRoot + "/no-data-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        let datasets = OptLabCommand.List.datasetsText(dataDirectory: missing)
        #expect(datasets.contains("mnist: 28×28") && datasets.contains("fashion-mnist: 28×28"))
        #expect(datasets.contains("searched: \(missing), "))
        #expect(datasets.contains("to get it: optlab data fetch mnist"))
        let (code, _) = OptLabCommand.execute(["list", "datasets"])
        #expect(code == 0)
    }

    @Test("every error starts 'optlab: error:'; flag errors exit 2")
    func oneErrorForm() {
        for arguments in [["descend", "--surface", "quadratic", "--optimizer", "sgd", "--steps", "x"],
                          ["descend", "--surface", "quadratc", "--optimizer", "sgd", "--steps", "3"],
                          ["validate", "/nonexistent.yaml"], ["list", "colours"]] {
            let (code, message) = OptLabCommand.execute(arguments)
            #expect(code == 2)
            #expect(message?.hasPrefix("optlab: error: ") == true, "\(message ?? "")")
            #expect(message?.contains("Error:") == false)
        }
    }

    @Test("the console ranking is column-aligned")
    func alignedRanking() {
        let header = ["run_id", "problem", "type", "optimizer", "convention", "lr", "status", "final_loss"]
        let rows = [header,
                    ["a", "p", "surface", "sgd", "keras", "0.1", "ok", "0.5"],
                    ["b", "p", "surface", "adadelta", "pytorch", "1.0", "ok", "0.25"]]
        let lines = SuiteSummary.text(SuiteSummary.rank(rows)).split(separator: "\n").filter { $0.hasPrefix("  ") }
        #expect(lines.count == 2)
        // The score and the setting start in the same column on every line.
        let scoreColumns = lines.map { $0.distance(from: $0.startIndex, to: $0.range(of: #"\)\s+"#, options: .regularExpression)!.upperBound) }
        let settingColumns = lines.map { $0.distance(from: $0.startIndex, to: $0.firstIndex(of: "[")!) }
        #expect(Set(scoreColumns).count == 1 && Set(settingColumns).count == 1, "\(lines)")
    }
}

enum OptLabCommandTestsNames {
    static let outputs = OutputLoss.allCases.map(\.rawValue)
}
