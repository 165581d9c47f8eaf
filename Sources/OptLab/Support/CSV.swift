import Foundation

/// RFC 4180 CSV output: a header row, `.` decimal point, full round-trip precision.
public enum CSV {
    /// A field as CSV text: quoted when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number in the shortest form that reads back to the same value (`0.1`, `1e-07`);
    /// non-finite values as `nan`, `inf`, `-inf`, which pandas, R and gnuplot read.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return "\(value)"
    }

    /// One line, terminated by `\n`.
    public static func row(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\n"
    }

    /// Splits CSV text into rows of fields (quoted fields, doubled quotes, CRLF or LF).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let c = pending { pending = nil; return c }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else { quoted = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); rows.append(row); row = []; field = ""
            case "\r": break
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// Writes CSV rows to a file, each row in one `write` so an interrupted process never
/// leaves half a row behind.
public final class CSVFileWriter {
    private let handle: FileHandle
    public let path: String

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String, header: [String]) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(CSV.row(header).utf8)) else {
            throw RuntimeFailure("cannot create \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw RuntimeFailure("cannot open \(path) for writing") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func write(_ fields: [String]) {
        handle.write(Data(CSV.row(fields).utf8))
    }

    /// Writes several rows in one system call.
    public func write(rows: [[String]]) {
        handle.write(Data(rows.map(CSV.row).joined().utf8))
    }

    deinit { try? handle.close() }
}

/// Parsed CSV rows with access to fields by column name.
struct CSVTable {
    let header: [String]
    let rows: [[String]]
    /// Column index by name (the first column of that name).
    let column: [String: Int]
    /// Row indices per value of the `run_id` column, in file order.
    private let rowsByRun: [String: [Int]]

    init(_ csv: [[String]]) {
        header = csv.first ?? []
        rows = Array(csv.dropFirst())
        let column = Dictionary(header.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        self.column = column
        var byRun: [String: [Int]] = [:]
        if let id = column["run_id"] {
            for (i, row) in rows.enumerated() where id < row.count { byRun[row[id], default: []].append(i) }
        }
        rowsByRun = byRun
    }

    func has(_ name: String) -> Bool { column[name] != nil }
    func value(_ row: [String], _ name: String) -> String { column[name].flatMap { $0 < row.count ? row[$0] : nil } ?? "" }
    func number(_ row: [String], _ name: String) -> Double? { Double(value(row, name)) }

    /// The rows of one run, ordered by their `epoch` column when there is one.
    func rows(ofRun id: String) -> [[String]] {
        (rowsByRun[id] ?? []).map { rows[$0] }.sorted { (number($0, "epoch") ?? 0) < (number($1, "epoch") ?? 0) }
    }
}
