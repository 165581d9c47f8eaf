import CZlib
import Foundation

/// Reading and rewriting the large results files line by line, a chunk at a time, so that
/// memory does not grow with their size. For epochs.csv and trajectories.csv, whose fields
/// are numbers and run ids: no field holds a line break.
enum LineStream {
    static let chunk = 1 << 20

    /// Calls `body` with each complete line (without its newline), the header included; a
    /// final line without its newline (an unfinished write) is not passed.
    /// A gzipped file `path`.gz stands in for a missing `path`.
    static func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard let actual = resolve(path) else { throw RuntimeFailure("cannot read \(path)") }
        let reader = try GzipReader(actual)
        var carry: [UInt8] = []
        while case let data = try reader.read(chunk), !data.isEmpty {
            var bytes = carry
            bytes.append(contentsOf: data)
            var start = 0
            while let newline = bytes[start...].firstIndex(of: 0x0A) {
                try body(bytes[start..<newline])
                start = newline + 1
            }
            carry = Array(bytes[start...])
        }
    }

    /// The first field of a line (the run id).
    static func firstField(_ line: ArraySlice<UInt8>) -> Substring {
        let end = line.firstIndex(of: 0x2C) ?? line.endIndex
        return Substring(String(decoding: line[line.startIndex..<end], as: UTF8.self))
    }

    /// The n-th field (0-based) of a line without quoted fields.
    static func field(_ line: ArraySlice<UInt8>, _ n: Int) -> Substring? {
        var index = 0, start = line.startIndex
        for i in line.indices where line[i] == 0x2C {
            if index == n { return Substring(String(decoding: line[start..<i], as: UTF8.self)) }
            index += 1
            start = i + 1
        }
        return index == n ? Substring(String(decoding: line[start..<line.endIndex], as: UTF8.self)) : nil
    }

    /// Rewrites a file through a temporary one: `header` first, then each line after the
    /// old header that `keep` accepts, with `padding` appended (empty fields for columns an
    /// earlier version did not write). Renamed over the original at the end.
    static func rewrite(_ path: String, header: [String], padding: Int, keep: (ArraySlice<UInt8>) -> Bool) throws {
        try write(path, header: header, sources: [(path, padding)], keep: keep)
    }

    /// Writes `path` through a temporary file: `header`, then the lines after the header of
    /// each source that `keep` accepts, each with its source's padding.
    static func write(_ path: String, header: [String], sources: [(path: String, padding: Int)], keep: (ArraySlice<UInt8>) -> Bool) throws {
        try replace(path) { output in
            var buffer = Array(CSV.row(header).utf8)
            for (source, padding) in sources where resolve(source) != nil {
                let pad = Array(String(repeating: ",", count: padding).utf8)
                var first = true
                try forEachLine(source) { line in
                    if first { first = false; return }
                    guard keep(line) else { return }
                    buffer.append(contentsOf: line)
                    buffer.append(contentsOf: pad)
                    buffer.append(0x0A)
                    if buffer.count >= chunk {
                        try output.write(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            try output.write(contentsOf: buffer)
        }
    }

    /// Writes `path` anew: `body` writes a temporary file beside it, which then replaces
    /// `path`; on an error the temporary file is removed and `path` left as it was.
    static func replace(_ path: String, _ body: (FileHandle) throws -> Void) throws {
        let temporary = path + ".writing"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let output = FileHandle(forWritingAtPath: temporary) else {
            throw RuntimeFailure("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        do {
            try body(output)
            try output.close()
        } catch {
            try? output.close()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw RuntimeFailure("cannot replace \(path): \(message)")
        }
    }

    /// The header (first line) of a CSV file, parsed; empty when the file is empty.
    static func header(of path: String) throws -> [String] {
        var header: [String]?
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RuntimeFailure("cannot read \(path)") }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while header == nil, let data = try handle.read(upToCount: 1 << 16), !data.isEmpty {
            bytes.append(contentsOf: data)
            if let newline = bytes.firstIndex(of: 0x0A) { header = CSV.parse(String(decoding: bytes[..<newline], as: UTF8.self) + "\n").first ?? [] }
        }
        return header ?? []
    }

    /// `path` when it exists, else `path`.gz when that exists.
    static func resolve(_ path: String) -> String? {
        if FileManager.default.fileExists(atPath: path) { return path }
        return FileManager.default.fileExists(atPath: path + ".gz") ? path + ".gz" : nil
    }

    /// Replaces `path` by `path`.gz (standard gzip, which pandas, R and zcat read).
    static func gzip(_ path: String) throws {
        let temporary = path + ".gz.writing"
        guard let output = gzopen(temporary, "wb6") else { throw RuntimeFailure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        do {
            let reader = try GzipReader(path)
            while case let data = try reader.read(chunk), !data.isEmpty {
                let written = data.withUnsafeBytes { gzwrite(output, $0.baseAddress!, UInt32($0.count)) }
                guard written == Int32(data.count) else { throw RuntimeFailure("cannot write \(temporary)") }
            }
        } catch {
            gzclose(output)
            unlink(temporary)
            throw error
        }
        guard gzclose(output) == Z_OK, rename(temporary, path + ".gz") == 0 else {
            unlink(temporary)
            throw RuntimeFailure("cannot write \(path).gz")
        }
        unlink(path)
    }

    /// Replaces `path`.gz by the plain `path` (to append to it again).
    static func gunzip(_ path: String) throws {
        try replace(path) { output in
            let reader = try GzipReader(path + ".gz")
            while case let data = try reader.read(chunk), !data.isEmpty { try output.write(contentsOf: data) }
        }
        unlink(path + ".gz")
    }
}
