import ArgumentParser
import Foundation
import OptLab

/// The root command: `optlab <verb> ...`.
public struct OptLabCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "optlab",
        abstract: "Compare gradient-descent optimizers on 2D loss surfaces and on neural networks.",
        discussion: """
        Exit codes: 0 success (a diverged run is a result), 1 runtime failure, \
        2 invalid input (flags, configuration, data files).
        """,
        version: BuildInfo.versionLine,
        subcommands: [Run.self, Validate.self, Merge.self, Slurm.self, Plot.self, Report.self, Compare.self, List.self, Descend.self, Train.self, DataCommand.self, Demo.self, Bench.self]
    )

    public init() {}

    /// Parses `arguments` (without the program name), runs the command, and returns the
    /// exit code and, on failure, the message for standard error. Parsing errors, which
    /// swift-argument-parser reports with exit code 64, and ``InputError``s map to 2.
    public static func execute(_ arguments: [String]) -> (code: Int32, message: String?) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return (0, nil)
        } catch let error as InputError {
            return (2, error.all.map { errorPrefix + $0.located }.joined(separator: "\n"))
        } catch let error as RuntimeFailure {
            return (1, errorPrefix + error.message)
        } catch let error as CocoaError {
            // A file operation of Foundation's (a read-only folder, a full disk): the file and
            // the reason, not the error domain.
            let path = error.filePath ?? (error.userInfo[NSURLErrorKey] as? URL)?.path
            let reason = (error.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? error.localizedDescription
            return (1, errorPrefix + (path.map { "\($0): " } ?? "") + reason)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success { return (0, message) }  // --help, --version
            let text = message.hasPrefix("Error: ") ? errorPrefix + message.dropFirst("Error: ".count) : message
            if code == .validationFailure { return (2, text) }
            return (code.rawValue, text.isEmpty ? nil : text)
        }
    }

    /// How every error message starts: the program, then "error:".
    public static let errorPrefix = "optlab: error: "

    /// Entry point of the `optlab` executable.
    public static func mainEntry() -> Never {
        let (code, message) = execute(Array(CommandLine.arguments.dropFirst()))
        if let message, !message.isEmpty {
            if code == 0 {
                print(message)
            } else {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
        }
        Foundation.exit(code)
    }
}

extension OptimizerKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

extension Convention: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// The flags that choose and configure an optimizer, shared by `descend` and `train`.
public struct OptimizerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Optimizer name.", valueName: "name"))
    public var optimizer: String

    @Option(parsing: .unconditional, help: "Learning rate η (default: the convention's default for the optimizer).")
    public var lr: Double?

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Another hyperparameter, e.g. --set beta_1=0.95 (repeatable).", valueName: "key=value"))
    public var settings: [String] = []

    @Option(help: "Whose update rules and defaults to follow: keras (default) or pytorch.")
    public var convention: String = "keras"

    @Option(help: ArgumentHelp("Learning-rate schedule, e.g. cosine:steps=95,warmup=5 or step:every=30,factor=0.1 (types: constant, step, multistep (milestones=30/60), exponential, cosine, onecycle; per=step|epoch). Each convention follows its framework's formula.", valueName: "type:key=value,..."))
    public var schedule: String?

    public init() {}

    /// The validated optimizer; an ``InputError`` names any bad name or value.
    public func spec() throws -> OptimizerSpec {
        let kind = try OptimizerKind.parse(optimizer)
        let convention = try Convention.parse(convention)
        var overrides: [String: Double] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw InputError("--set expects key=value, got '\(setting)'")
            }
            let flag = Hyperparameter.isFlag(parts[0])
            guard let value = Hyperparameter.parseValue(parts[1], flag: flag) else {
                throw InputError("--set \(parts[0]): '\(parts[1])' is not " + (flag ? "true or false" : "a number"))
            }
            overrides[parts[0]] = value
        }
        if let lr { overrides["lr"] = lr }
        let spec = OptimizerSpec(kind: kind, convention: convention, overrides: overrides,
                                 schedule: try schedule.map(LearningRateSchedule.parse))
        _ = try spec.resolvedValues()
        try spec.schedule?.check(for: convention)
        return spec
    }
}

/// Parses "x,y".
func parsePoint(_ text: String, flag: String) throws -> Point {
    let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let x = parts[0], let y = parts[1], x.isFinite, y.isFinite else {
        throw InputError("\(flag) expects two finite numbers as x,y (e.g. \(flag)=-2,2), got '\(text)'")
    }
    return Point(x, y)
}
