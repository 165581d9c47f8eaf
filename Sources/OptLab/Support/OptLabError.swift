/// Something the user asked for is wrong: a flag, a configuration value, a data file.
///
/// The command line maps it to exit code 2. The message names the source
/// (file, line and column where there are any) and what was expected.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Further errors found in the same input (``InputError/combining(_:)``): `validate`
    /// reports every problem of a suite at once.
    public var others: [InputError] = []

    public init(_ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// One error carrying several: the first, with the rest in ``others``.
    public static func combining(_ errors: [InputError]) -> InputError {
        precondition(!errors.isEmpty, "nothing to combine")
        var first = errors[0]
        first.others += errors.dropFirst().flatMap(\.all)
        return first
    }

    /// This error and the others, each on its own.
    public var all: [InputError] {
        var single = self
        single.others = []
        return [single] + others.flatMap(\.all)
    }

    /// Every error, one per line.
    public var description: String { all.map(\.located).joined(separator: "\n") }

    /// `file:line:column: message`.
    public var located: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        }
        return location + message
    }
}

/// Something broke while running valid input (an I/O failure, a missing program).
///
/// The command line maps it to exit code 1.
public struct RuntimeFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
