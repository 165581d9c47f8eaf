/// The rule for names that become file and folder names: suite names and problem names.
///
/// A name is 1 to 64 characters from `A–Z a–z 0–9 - _ .`, and does not start with `.`
/// or `-`. So a name can never be a path (`..`, `a/b`), a hidden file, an option, or
/// carry quotes, spaces, newlines or other characters that mean something to gnuplot,
/// a shell or a CSV reader.
public enum Identifier {
    public static let maximumLength = 64

    /// The rule in words, for messages and documentation.
    public static let rule = "1 to 64 characters from letters A-Z a-z, digits, '-', '_' and '.', not starting with '.' or '-'"

    /// Why `name` breaks the rule, or nil when it follows it.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "is empty" }
        guard name.unicodeScalars.count <= maximumLength else { return "is longer than \(maximumLength) characters" }
        for scalar in name.unicodeScalars {
            let allowed = scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
            if !allowed { return "holds \(describe(scalar)), which is not allowed" }
        }
        if name.hasPrefix(".") || name.hasPrefix("-") { return "starts with '\(name.first!)'" }
        return nil
    }

    /// Throws an ``InputError`` (with the location given) when `name` breaks the rule.
    public static func check(_ name: String, what: String, file: String? = nil, line: Int? = nil, column: Int? = nil) throws {
        if let problem = problem(with: name) {
            throw InputError("\(what) '\(printable(name))' \(problem); a name is \(rule)", file: file, line: line, column: column)
        }
    }

    /// The name with control characters shown as escapes and cut to 80 characters, for messages.
    public static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(80) {
            result += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text.unicodeScalars.count > 80 ? result + "…" : result
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case " ": "a space"
        case "\n": "a line break"
        case "/": "'/'"
        default: scalar.properties.generalCategory == .control ? "the control character \(scalar.escaped(asASCII: true))" : "'\(scalar)'"
        }
    }
}
