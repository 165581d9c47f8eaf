import ArgumentParser
import Foundation
import OptLab

extension OptLabCommand {
    /// `optlab slurm SUITE.yaml --shards N [--submit]`.
    public struct Slurm: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run a suite as a Slurm job array: write results/<suite>/slurm/array.sbatch, and submit it with --submit.",
            discussion: """
            Array task I runs 'optlab run SUITE --shard I/N --resume' into \
            <out>/<suite>/shards/shard-I-of-N/, logging to <out>/<suite>/slurm/logs/<job>_<I>.out. \
            'optlab merge <out>/<suite>' combines the finished shards (safe while tasks still \
            run: it lists the missing ones); a failed or cancelled task can be resubmitted \
            alone with 'sbatch --array=I <script>' and its shard resumes. The optlab binary, \
            the suite file, the datasets and the results folder must be on a filesystem every \
            node sees at the same paths; the script refers to them by absolute path.
            """)

        @Argument(help: "The suite file (YAML).")
        public var suite: String

        @Option(help: ArgumentHelp("Array tasks: the suite is split into N shards, one per task.", valueName: "N"))
        public var shards: Int

        @Option(help: ArgumentHelp("Slurm partition (default: the cluster's default partition).", valueName: "name"))
        public var partition: String?

        @Option(help: ArgumentHelp("Time limit per task, HH:MM:SS (or Slurm's D-HH:MM:SS forms; default: the partition's).", valueName: "HH:MM:SS"))
        public var time: String?

        @Option(help: ArgumentHelp("CPUs per task; each task runs that many runs at once.", valueName: "C"))
        public var cpusPerTask: Int = 1

        @Option(help: ArgumentHelp("Memory per task, e.g. 4G or 4000 (megabytes; default: the cluster's).", valueName: "M"))
        public var mem: String?

        @Option(help: ArgumentHelp("At most K tasks of the array run at once (default: no limit).", valueName: "K"))
        public var arrayParallelism: Int?

        @Flag(help: "Submit the script with sbatch and print the job id and how to follow and merge it.")
        public var submit = false

        @Option(help: ArgumentHelp("Results root folder (on the shared filesystem).", valueName: "dir"))
        public var out: String = "results"

        @Option(help: ArgumentHelp("The optlab binary the tasks run (default: this one).", valueName: "path"))
        public var optlab: String?

        public init() {}

        public func run() throws {
            let loaded = try Suite.load(path: suite)
            if loaded.tuning != nil {
                throw InputError("a suite with a tuning protocol cannot be split into array tasks: its confirmation runs depend on the tuning results; run it with 'optlab run'", file: suite)
            }
            let resources = SlurmArray.Resources(shards: shards, partition: partition, time: time, cpusPerTask: cpusPerTask,
                                                 memory: mem, arrayParallelism: arrayParallelism)
            let runCount = loaded.expand().count
            try resources.validate(runCount: runCount)
            let binary = Self.absolute(optlab ?? Self.currentExecutable())
            guard FileManager.default.isExecutableFile(atPath: binary) else {
                throw InputError("--optlab: \(binary) is not an executable file")
            }
            let environment = ProcessInfo.processInfo.environment
            let array = SlurmArray(suite: loaded, resources: resources, suitePath: Self.absolute(suite),
                                   resultsRoot: Self.absolute(out), optlabPath: binary,
                                   workingDirectory: FileManager.default.currentDirectoryPath,
                                   dataRoot: environment["OPTLAB_DATA"].map(Self.absolute))
            let commandLine = (["optlab"] + CommandLine.arguments.dropFirst()).map(SlurmArray.quote).joined(separator: " ")
            // The suite folder is written here (the script, its checks of existing results):
            // no run or merge may write it meanwhile. Array tasks lock their own shard folders.
            let script = try withExtendedLifetime(try FolderLock(array.suiteDirectory)) { try array.write(commandLine: commandLine) }
            print("wrote \(script): \(shards) array tasks for \(runCount) runs")
            guard submit else {
                print("submit it with: sbatch \(script)")
                return
            }
            let jobID = try Self.sbatch(script)
            print("""
            submitted job array \(jobID) (\(shards) tasks)
              follow:   squeue -j \(jobID)    (when it has ended: sacct -j \(jobID) --format=JobID,State,Elapsed,ExitCode)
              logs:     \(array.logDirectory)/\(jobID)_<task>.out
              merge:    optlab merge \(array.suiteDirectory)    (safe while tasks still run; lists missing shards)
              resubmit a failed task I alone:   sbatch --array=I \(script)
            """)
        }

        /// Submits with `sbatch --parsable`; returns the job id.
        static func sbatch(_ script: String) throws -> String {
            guard let sbatch = executableOnPath("sbatch") else {
                throw RuntimeFailure("sbatch not found on PATH: is this a Slurm login node? (To try it locally: scripts/slurm-local.sh start)")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sbatch)
            process.arguments = ["--parsable", script]
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0, let id = SlurmArray.parseJobID(printed) else {
                throw RuntimeFailure("sbatch failed (exit \(process.terminationStatus)): \((complaint + printed).trimmingCharacters(in: .whitespacesAndNewlines)); the script is \(script)")
            }
            return id
        }

        static func currentExecutable() -> String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }

        static func absolute(_ path: String) -> String {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
            return url.standardizedFileURL.path
        }
    }
}
