import Foundation
import Testing
import OptLab
import OptLabCommands

/// `optlab slurm`: the flags, the script it writes, and the script's behaviour when run as
/// array tasks. Submission to a real Slurm is tested by Tests/Integration/slurm.sh.
@Suite("optlab slurm", .serialized)
struct SlurmCommandTests {
    static func setUp(name: String) -> (root: String, suite: String) {
        let root = ExecutionTests.temporaryRoot()
        let suite = ExecutionTests.write(ExecutionTests.suiteText(name: name), in: root)
        return (root, suite)
    }

    static func bash(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("run as array tasks 0, 1, 2, the script's shards merge into the unsharded results; outside an array it refuses")
    func scriptRunsShards() throws {
        let binary = try #require(TestData.optlabBinary, "the optlab executable must be built (swift build)")
        let (root, suitePath) = Self.setUp(name: "arrayed")
        let (code, message) = OptLabCommand.execute(["slurm", suitePath, "--shards", "3", "--out", root + "/array", "--optlab", binary])
        #expect(code == 0, "\(message ?? "")")
        let script = root + "/array/arrayed/slurm/array.sbatch"
        #expect(try Self.bash(["-n", script]).status == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/array/arrayed/slurm/logs"))

        let outside = try Self.bash([script], environment: ["SLURM_ARRAY_TASK_ID": ""])
        #expect(outside.status != 0)
        #expect(outside.output.contains("submit this script with sbatch"))
        #expect(!FileManager.default.fileExists(atPath: root + "/array/arrayed/shards"))

        // The same OpenBLAS kernels as this test process, so numbers can be compared.
        for task in 0..<3 {
            let result = try Self.bash([script], environment: ["SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_CPUS_PER_TASK": "2",
                                                                "OPTLAB_KEEP_BLAS_CORE": "1"])
            #expect(result.status == 0, "task \(task): \(result.output)")
            #expect(result.output.contains("shard \(task)/3 done"))
        }
        let report = try ShardMerger.merge(suiteDirectory: root + "/array/arrayed")
        #expect(report.complete && report.totalRuns == 24)

        let suite = try Suite.load(path: suitePath)
        try SuiteRunner(suite: suite, outputRoot: root + "/local", jobs: 2, log: { _ in }).run()
        #expect(try ExecutionTests.results(root + "/array/arrayed") == ExecutionTests.results(root + "/local/arrayed"))

        // A task run again (a resubmission) resumes its complete shard and changes nothing.
        let again = try Self.bash([script], environment: ["SLURM_ARRAY_TASK_ID": "1", "OPTLAB_KEEP_BLAS_CORE": "1"])
        #expect(again.output.contains("8 already complete; running 0"), "\(again.output)")
    }

    @Test("the #SBATCH lines follow the flags; optional ones are absent when not given")
    func scriptOptions() throws {
        let (root, suitePath) = Self.setUp(name: "options")
        let suite = try Suite.load(path: suitePath)
        func array(_ resources: SlurmArray.Resources) -> SlurmArray {
            SlurmArray(suite: suite, resources: resources, suitePath: suitePath, resultsRoot: root, optlabPath: "/opt/optlab bin/optlab",
                       workingDirectory: "/home/me/lab", dataRoot: "/data/sets")
        }
        let full = array(.init(shards: 4, partition: "short", time: "02:30:00", cpusPerTask: 2, memory: "4G", arrayParallelism: 2))
        let directives = full.script(commandLine: "optlab slurm x").split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        #expect(directives == [
            "#SBATCH --job-name=optlab-options",
            "#SBATCH --array=0-3%2",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --time=02:30:00",
            "#SBATCH --mem=4G",
            "#SBATCH --partition=short",
            "#SBATCH --output=\(root)/options/slurm/logs/%A_%a.out",
            "#SBATCH --chdir=/home/me/lab",
        ])
        let text = full.script(commandLine: "optlab slurm x")
        #expect(text.contains("optlab='/opt/optlab bin/optlab'"))
        #expect(text.contains("export OPTLAB_DATA=/data/sets"))
        #expect(text.contains("shards=4\n"))

        let plain = array(.init(shards: 2)).script(commandLine: "optlab slurm x").split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        #expect(plain.contains("#SBATCH --array=0-1"))
        #expect(!plain.contains { $0.contains("--time") || $0.contains("--mem") || $0.contains("--partition") })
    }

    @Test("bad flags exit with code 2, name the flag, and write nothing", arguments: [
        (["--shards", "0"], "--shards must be ≥ 1"),
        (["--shards", "25"], "exceeds the suite's 24 runs"),
        (["--shards", "3", "--time", "2h"], "--time expects HH:MM:SS"),
        (["--shards", "3", "--time", "1:75:00"], "--time expects HH:MM:SS"),
        (["--shards", "3", "--mem", "4GB"], "--mem expects a size"),
        (["--shards", "3", "--cpus-per-task", "0"], "--cpus-per-task must be ≥ 1"),
        (["--shards", "3", "--array-parallelism", "0"], "--array-parallelism must be ≥ 1"),
        (["--shards", "3", "--partition", "a b"], "--partition expects a partition name"),
        (["--shards", "3", "--optlab", "/nonexistent/optlab"], "is not an executable file"),
    ])
    func badFlags(flags: [String], expected: String) throws {
        let (root, suitePath) = Self.setUp(name: "bad")
        let (code, message) = OptLabCommand.execute(["slurm", suitePath, "--out", root] + flags)
        #expect(code == 2)
        #expect(message?.contains(expected) == true, "\(message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: root + "/bad"))
    }

    @Test("Slurm's time forms are accepted")
    func timeForms() throws {
        for time in ["90", "30:00", "1:00:00", "36:00:00", "2-12", "2-12:30", "2-12:30:00"] {
            #expect(throws: Never.self) { try SlurmArray.Resources(shards: 1, time: time).validate(runCount: 1) }
        }
    }

    @Test("results the merge would overwrite are refused: another split, or an unsharded run")
    func refusesConflicts() throws {
        let (root, suitePath) = Self.setUp(name: "taken")
        try FileManager.default.createDirectory(atPath: root + "/taken/shards/shard-0-of-4", withIntermediateDirectories: true)
        var (code, message) = OptLabCommand.execute(["slurm", suitePath, "--shards", "3", "--out", root])
        #expect(code == 2 && message?.contains("another split (N = 4)") == true, "\(message ?? "")")
        (code, _) = OptLabCommand.execute(["slurm", suitePath, "--shards", "4", "--out", root])
        #expect(code == 0)

        try FileManager.default.removeItem(atPath: root + "/taken")
        try FileManager.default.createDirectory(atPath: root + "/taken", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/taken/runs.csv", contents: Data("run_id\n".utf8))
        (code, message) = OptLabCommand.execute(["slurm", suitePath, "--shards", "3", "--out", root])
        #expect(code == 2 && message?.contains("unsharded run") == true, "\(message ?? "")")
        #expect(try String(contentsOfFile: root + "/taken/runs.csv", encoding: .utf8) == "run_id\n")
    }

    @Test("job ids from sbatch --parsable, and shell quoting")
    func parsing() {
        #expect(SlurmArray.parseJobID("123\n") == "123")
        #expect(SlurmArray.parseJobID("4567;cluster\n") == "4567")
        #expect(SlurmArray.parseJobID("sbatch: error: invalid partition") == nil)
        #expect(SlurmArray.quote("/a/b-c_d.yaml") == "/a/b-c_d.yaml")
        #expect(SlurmArray.quote("/a b/it's") == #"'/a b/it'\''s'"#)
        #expect(SlurmArray.quote("") == "''")
    }
}
