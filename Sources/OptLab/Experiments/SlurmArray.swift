import Foundation

/// A suite as a Slurm job array: array task I runs `optlab run SUITE --shard I/N --resume`
/// into the suite's shared results folder. This type writes the `sbatch` script; it does
/// not talk to Slurm.
public struct SlurmArray: Sendable {
    /// What the array asks of the scheduler. Optional values are left to the cluster's
    /// defaults when nil.
    public struct Resources: Sendable, Equatable {
        public var shards: Int
        public var partition: String?
        public var time: String?
        public var cpusPerTask: Int
        public var memory: String?
        public var arrayParallelism: Int?

        public init(shards: Int, partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1,
                    memory: String? = nil, arrayParallelism: Int? = nil) {
            self.shards = shards
            self.partition = partition
            self.time = time
            self.cpusPerTask = cpusPerTask
            self.memory = memory
            self.arrayParallelism = arrayParallelism
        }

        /// Rejects values `sbatch` would reject, before anything is written.
        public func validate(runCount: Int) throws {
            guard shards >= 1 else { throw InputError("--shards must be ≥ 1, got \(shards)") }
            guard shards <= runCount else {
                throw InputError("--shards \(shards) exceeds the suite's \(runCount) runs; some tasks would have nothing to do")
            }
            guard cpusPerTask >= 1 else { throw InputError("--cpus-per-task must be ≥ 1, got \(cpusPerTask)") }
            if let k = arrayParallelism, k < 1 { throw InputError("--array-parallelism must be ≥ 1, got \(k)") }
            if let time { try Self.checkTime(time) }
            if let memory, memory.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) == nil {
                throw InputError("--mem expects a size in megabytes or with a unit K, M, G or T (e.g. 4000 or 4G), got '\(memory)'")
            }
            if let partition, partition.isEmpty || partition.range(of: #"^[A-Za-z0-9_.,-]+$"#, options: .regularExpression) == nil {
                throw InputError("--partition expects a partition name (letters, digits, '_', '.', '-'; several separated by ','), got '\(partition)'")
            }
        }

        /// Slurm's time limits: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
        static func checkTime(_ text: String) throws {
            let forms = [#"^[0-9]+$"#, #"^[0-9]+:[0-5]?[0-9]$"#, #"^[0-9]+:[0-5]?[0-9]:[0-5]?[0-9]$"#,
                         #"^[0-9]+-[0-9]+$"#, #"^[0-9]+-[0-9]+:[0-5]?[0-9]$"#, #"^[0-9]+-[0-9]+:[0-5]?[0-9]:[0-5]?[0-9]$"#]
            guard forms.contains(where: { text.range(of: $0, options: .regularExpression) != nil }) else {
                throw InputError("--time expects HH:MM:SS (or Slurm's MM, MM:SS, D-HH, D-HH:MM, D-HH:MM:SS), got '\(text)'")
            }
        }
    }

    public var suite: Suite
    public var resources: Resources
    /// Absolute paths: every node must see them at the same place.
    public var suitePath: String
    public var resultsRoot: String
    public var optlabPath: String
    public var workingDirectory: String
    /// Baked into the script when set, so a resubmission from another shell finds the data.
    public var dataRoot: String?

    public init(suite: Suite, resources: Resources, suitePath: String, resultsRoot: String, optlabPath: String,
                workingDirectory: String, dataRoot: String? = nil) {
        self.suite = suite
        self.resources = resources
        self.suitePath = suitePath
        self.resultsRoot = resultsRoot
        self.optlabPath = optlabPath
        self.workingDirectory = workingDirectory
        self.dataRoot = dataRoot
    }

    public var suiteDirectory: String { resultsRoot + "/" + suite.name }
    public var slurmDirectory: String { suiteDirectory + "/slurm" }
    public var scriptPath: String { slurmDirectory + "/array.sbatch" }
    public var logDirectory: String { slurmDirectory + "/logs" }

    /// The `sbatch` script.
    public func script(commandLine: String) -> String {
        let n = resources.shards
        let runCount = suite.expand().count
        let merge = "\(Self.quote(optlabPath)) merge \(Self.quote(suiteDirectory))"
        var lines = [
            "#!/bin/bash",
            "# Suite '\(suite.name)' (\(runCount) runs) as a Slurm job array of \(n) task\(n == 1 ? "" : "s").",
            "# Written by: \(commandLine)",
            "#",
            "# Array task I runs the suite's runs whose index is I modulo \(n), into",
            "#   \(suiteDirectory)/shards/shard-I-of-\(n)/",
            "# with --resume, so a task that failed or was cancelled can be resubmitted alone and",
            "# continues where it stopped:",
            "#   sbatch --array=I \(scriptPath)",
            "# Combine the shards into \(suiteDirectory)/ (safe while tasks still run; it lists",
            "# the shards that are missing runs):",
            "#   \(merge)",
            "#",
            "# The optlab binary, the suite file, the datasets and the results folder must be on a",
            "# filesystem that every node sees at the same paths.",
            "#",
            "# Scheduler options (sbatch reads #SBATCH lines up to the first command):",
            "#SBATCH --job-name=\(Self.jobName(suite.name))",
            "#SBATCH --array=0-\(n - 1)" + (resources.arrayParallelism.map { "%\($0)" } ?? ""),
            "#SBATCH --cpus-per-task=\(resources.cpusPerTask)",
        ]
        if let time = resources.time { lines.append("#SBATCH --time=\(time)") }
        if let memory = resources.memory { lines.append("#SBATCH --mem=\(memory)") }
        if let partition = resources.partition { lines.append("#SBATCH --partition=\(partition)") }
        lines += [
            // %A is the array's job id, %a the task index.
            "#SBATCH --output=\(logDirectory)/%A_%a.out",
            "#SBATCH --chdir=\(workingDirectory)",
            "set -euo pipefail",
            "",
            "optlab=\(Self.quote(optlabPath))",
            "suite=\(Self.quote(suitePath))",
            "results=\(Self.quote(resultsRoot))",
            "shards=\(n)",
            "task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is one task of a job array}",
        ]
        if let dataRoot { lines.append("export OPTLAB_DATA=\(Self.quote(dataRoot))") }
        lines += [
            "",
            "# One run per allocated CPU; each run uses one BLAS thread, so its numbers are those",
            "# of the same run made anywhere else.",
            "echo \"optlab: shard $task/$shards of $suite on $(hostname), $(date -Is)\"",
            "\"$optlab\" run \"$suite\" --shard \"$task/$shards\" --resume --jobs \"${SLURM_CPUS_PER_TASK:-1}\" --out \"$results\" --no-plots",
            "echo \"optlab: shard $task/$shards done, $(date -Is)\"",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// Writes the script (atomically) and creates the log folder; returns the script's path.
    /// Refuses when the suite folder holds another sharding or an unsharded run's results,
    /// which a later merge would overwrite.
    @discardableResult
    public func write(commandLine: String) throws -> String {
        let fm = FileManager.default
        for (what, path) in [("results folder", resultsRoot), ("working directory", workingDirectory)]
        where path.contains(where: \.isWhitespace) {
            throw InputError("the \(what) '\(path)' contains white space, which #SBATCH lines cannot hold; use a path without it")
        }
        let shardsRoot = suiteDirectory + "/shards"
        let folders = ((try? fm.contentsOfDirectory(atPath: shardsRoot)) ?? []).filter { $0.hasPrefix("shard-") }
        let others = Set(folders.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } }).subtracting([resources.shards])
        if !others.isEmpty {
            throw InputError("\(shardsRoot) holds shards of another split (N = \(others.sorted().map(String.init).joined(separator: ", "))); use that --shards value to continue them, or remove the folder")
        }
        if folders.isEmpty && fm.fileExists(atPath: suiteDirectory + "/runs.csv") {
            throw InputError("\(suiteDirectory) already holds the results of an unsharded run, which merging shards would replace; choose another --out or move them away")
        }
        try fm.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        try Data(script(commandLine: commandLine).utf8).write(to: URL(fileURLWithPath: scriptPath), options: .atomic)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptPath)
        return scriptPath
    }

    /// `optlab-<suite>`: suite names are already restricted to letters, digits, '-', '_', '.'.
    static func jobName(_ suiteName: String) -> String { "optlab-" + suiteName }

    /// A shell word: bare when it is plainly safe, else single-quoted.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty, text.range(of: #"^[A-Za-z0-9_./:=+@%,-]+$"#, options: .regularExpression) != nil { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The job id in `sbatch --parsable` output ("123" or "123;cluster").
    public static func parseJobID(_ output: String) -> String? {
        let first = output.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
    }
}
