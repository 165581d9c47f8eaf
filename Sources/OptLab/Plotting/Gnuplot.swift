import Foundation

/// Writing user data into gnuplot scripts safely, and running gnuplot.
///
/// gnuplot substitutes backquoted text with a command's output anywhere on a line,
/// inside double-quoted strings too, and a line break ends a command. So every piece of
/// data that reaches a script (names, settings, labels) goes through ``text(_:)``, and
/// every file a script names is checked by ``checkFileName(_:)``: a script can then
/// contain no command built from user data.
public enum Gnuplot {
    /// `text` escaped for a double-quoted gnuplot string shown in enhanced-text mode: the
    /// enhanced-mode specials (`_ ^ { } @ & ~ \`) print as themselves, `"` is escaped,
    /// backquotes become `'` and control characters spaces.
    public static func text(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\\\\\"
            case "\"": result += "\\\""
            case "`": result += "'"
            case "_", "^", "{", "}", "@", "&", "~": result += "\\\\" + String(scalar)
            default:
                result += scalar.properties.generalCategory == .control ? " " : String(scalar)
            }
        }
        return result
    }

    /// Text for a comment line of a script: one line, nothing else.
    public static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }

    /// Refuses a file name a script would read or write unless it is a plain name in
    /// this folder: the identifier rule plus an extension (`rosenbrock-paths.dat`).
    public static func checkFileName(_ name: String) throws {
        var stem = name
        if let dot = name.lastIndex(of: "."), ["dat", "gp", "png", "svg", "gif"].contains(String(name[name.index(after: dot)...])) {
            stem = String(name[..<dot])
        }
        if let problem = Identifier.problem(with: stem) ?? (name.count > 200 ? "is too long" : nil) {
            throw InputError("figure file name '\(Identifier.printable(name))' \(problem); names in results must follow the rule: \(Identifier.rule)")
        }
    }

    /// The format a `--plot FILE` names by its extension (`png` or `svg`), once gnuplot is
    /// known to be installed: an input error for another extension, a runtime failure
    /// without gnuplot, both before any work is done.
    public static func quickLookFormat(of path: String) throws -> String {
        let format = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard format == "png" || format == "svg" else { throw InputError("--plot writes a .png or .svg file, got '\(path)'") }
        guard executableOnPath("gnuplot") != nil else { throw RuntimeFailure("--plot needs gnuplot (apt-get install gnuplot-nox)") }
        return format
    }

    /// Copies a rendered figure to the file a user named.
    public static func deliver(_ rendered: String, to path: String) throws {
        do {
            try Data(contentsOf: URL(fileURLWithPath: rendered)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RuntimeFailure("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Runs gnuplot on each script (from `directory`) once per format; failures are
    /// collected and thrown together as a ``RuntimeFailure``.
    public static func render(_ names: [String], formats: [String], in directory: String) throws -> [String] {
        guard let gnuplot = executableOnPath("gnuplot") else {
            throw RuntimeFailure("gnuplot not found: the scripts are in \(directory); install gnuplot (apt-get install gnuplot-nox) and run 'gnuplot NAME.gp' there, or 'optlab plot' again")
        }
        var written: [String] = []
        var failures: [String] = []
        for name in names {
            let isAnimation = name.hasSuffix("-animation")
            for format in isAnimation ? ["gif"] : formats {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: gnuplot)
                process.arguments = isAnimation ? [name + ".gp"] : ["-e", "format='\(format)'", name + ".gp"]
                process.currentDirectoryURL = URL(fileURLWithPath: directory)
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                if process.terminationStatus == 0 {
                    written.append(directory + "/" + name + "." + format)
                } else {
                    failures.append("\(name).gp (\(format)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
            }
        }
        if !failures.isEmpty { throw RuntimeFailure("gnuplot failed:\n  " + failures.joined(separator: "\n  ")) }
        return written
    }
}
