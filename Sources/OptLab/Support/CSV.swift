import Foundation

/// RFC 4180 CSV output: a header row, `.` decimal point, full round-trip precision.
public enum CSV {
    /// A field as CSV text: quoted when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        // Scanned as bytes: faster than by Character, and a "\r\n" pair (one Character)
        // is caught too.
        guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return field }
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
        var line = ""
        line.reserveCapacity(fields.reduce(1) { $0 + $1.utf8.count + 1 })
        for (i, field) in fields.enumerated() {
            if i > 0 { line += "," }
            line += escape(field)
        }
        line += "\n"
        return line
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

/// Writes CSV rows to a file the user named, each row in one `write` so an interrupted
/// process never leaves half a row behind.
///
/// The file is opened where the user said: a symbolic link is written through (not
/// replaced), anything but a regular file (a FIFO, a device, a folder) is refused, and a
/// missing folder is an error rather than created. A failed write (a full disk) throws
/// a ``RuntimeFailure`` naming the file.
public final class CSVFileWriter {
    private let descriptor: Int32
    public let path: String

    /// Creates (or truncates) `path` and writes the header; `createFolders` makes the
    /// missing folders first (for output folders the program owns).
    public init(path: String, header: [String], createFolders: Bool = false) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if createFolders {
            try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        } else if !folder.isEmpty, InputFile.kind(of: folder) != .directory {
            throw InputError("the folder \(folder) does not exist; create it first", file: path)
        }
        switch InputFile.kind(of: path) {
        case nil, .regular: break
        case .directory: throw InputError("is a folder; name a file to write the CSV to", file: path)
        case .other(let description): throw InputError("is \(description); the CSV is written only to a regular file", file: path)
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RuntimeFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        try write(rows: [header])
    }

    public func write(_ fields: [String]) throws {
        try write(rows: [fields])
    }

    /// Writes several rows in one system call (more when the kernel takes part of them).
    public func write(rows: [[String]]) throws {
        let bytes = Array(rows.map(CSV.row).joined().utf8)
        try FileWriting.writeAll(descriptor, bytes, path: path)
    }

    deinit { close(descriptor) }
}

/// Writing whole buffers to file descriptors, with failures as ``RuntimeFailure``s.
public enum FileWriting {
    /// Writes every byte, retrying short writes and interrupted calls.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
    }

    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw RuntimeFailure("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
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

    /// Per layer, input side first, an epochs.csv row's weight-gradient values: the
    /// `grad_rms_1`, `grad_rms_2`, … columns (root mean square per weight); in results
    /// written before those columns existed, the `;`-separated `grad_norms` (whole-matrix
    /// norms, which compare layers of different sizes less fairly).
    func gradientValues(_ row: [String]) -> [Double] {
        if has("grad_rms_1") {
            var values: [Double] = []
            while let value = number(row, "grad_rms_\(values.count + 1)") { values.append(value) }
            return values
        }
        return value(row, "grad_norms").split(separator: ";").compactMap { Double($0) }
    }

    /// The rows of one run, ordered by their `epoch` column when there is one.
    func rows(ofRun id: String) -> [[String]] {
        (rowsByRun[id] ?? []).map { rows[$0] }.sorted { (number($0, "epoch") ?? 0) < (number($1, "epoch") ?? 0) }
    }
}
