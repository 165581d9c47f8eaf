/// Something the user asked for is wrong: a flag, a configuration value, a data file.
///
/// The command line maps it to exit code 2. The message names the source
/// (file, line and column where there are any) and what was expected.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(_ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
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
