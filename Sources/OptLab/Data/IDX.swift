import CZlib
import Foundation

/// Reader for the IDX format of MNIST and Fashion-MNIST, gzipped or not.
///
/// Layout: two zero bytes, a type code (0x08 = unsigned byte, the only type these
/// datasets use), the number of dimensions, each dimension as a big-endian UInt32,
/// then the data, row-major. Every check failure is an ``InputError`` naming the file.
public enum IDX {
    public struct Array: Sendable, Equatable {
        public var dimensions: [Int]
        public var bytes: [UInt8]
    }

    /// Reads and parses an IDX file, gzipped or not, expecting `dimensionCount`
    /// dimensions of unsigned bytes. The header is read and checked first (dimensions
    /// multiplied with overflow checks, the total bounded by ``Limits/idxBytes``), so a
    /// corrupt header never makes it allocate; then exactly that many data bytes must follow.
    public static func read(_ path: String, expectedDimensions dimensionCount: Int) throws -> Array {
        try InputFile.checkRegular(path, what: "IDX data file")
        let file = try GzipReader(path)
        let header = try file.read(4 + 4 * dimensionCount)
        let dimensions = try parseHeader(header, expectedDimensions: dimensionCount, file: path)
        let expected = try byteCount(dimensions, file: path)
        let data = try file.read(expected)
        let shape = dimensions.map(String.init).joined(separator: "×")
        guard data.count == expected else {
            throw InputError("IDX data truncated: header says \(shape) = \(expected) bytes, file holds \(data.count)", file: path)
        }
        guard try file.read(1).isEmpty else {
            throw InputError("IDX data has trailing bytes: header says \(shape) = \(expected) bytes", file: path)
        }
        return Array(dimensions: dimensions, bytes: data)
    }

    /// Reads a whole regular file (at most ``Limits/idxBytes`` once decompressed),
    /// decompressing it when it is gzipped (zlib reads plain files through the same calls).
    public static func readFile(_ path: String) throws -> [UInt8] {
        try InputFile.checkRegular(path, what: "IDX data file")
        let file = try GzipReader(path)
        let bytes = try file.read(Limits.idxBytes)
        guard try file.read(1).isEmpty else { throw InputError("larger than \(Limits.idxBytes) bytes once decompressed", file: path) }
        return bytes
    }

    /// Parses IDX bytes, expecting `dimensionCount` dimensions of unsigned bytes.
    public static func parse(_ data: [UInt8], expectedDimensions dimensionCount: Int, file: String) throws -> Array {
        let dimensions = try parseHeader(data, expectedDimensions: dimensionCount, file: file)
        let headerSize = 4 + 4 * dimensionCount
        let expected = try byteCount(dimensions, file: file)
        let actual = data.count - headerSize
        guard actual == expected else {
            let shape = dimensions.map(String.init).joined(separator: "×")
            let what = actual < expected ? "truncated" : "has trailing bytes"
            throw InputError("IDX data \(what): header says \(shape) = \(expected) bytes, file holds \(actual)", file: file)
        }
        return Array(dimensions: dimensions, bytes: Swift.Array(data[headerSize...]))
    }

    /// The dimensions from the magic number and the size fields.
    static func parseHeader(_ data: [UInt8], expectedDimensions dimensionCount: Int, file: String) throws -> [Int] {
        guard data.count >= 4 else {
            throw InputError("too short for an IDX header (\(data.count) bytes)", file: file)
        }
        guard data[0] == 0, data[1] == 0 else {
            let magic = data[0..<4].map { String(format: "%02x", $0) }.joined()
            throw InputError("not an IDX file: magic number 0x\(magic), expected 0x0000 08 0\(dimensionCount)", file: file)
        }
        guard data[2] == 0x08 else {
            throw InputError("IDX type code 0x\(String(format: "%02x", data[2])) is not supported; expected 0x08 (unsigned byte)", file: file)
        }
        guard Int(data[3]) == dimensionCount else {
            throw InputError("IDX file has \(data[3]) dimensions; expected \(dimensionCount)", file: file)
        }
        let headerSize = 4 + 4 * dimensionCount
        guard data.count >= headerSize else {
            throw InputError("truncated IDX header: \(data.count) bytes, expected at least \(headerSize)", file: file)
        }
        return (0..<dimensionCount).map { d in
            let o = 4 + 4 * d
            return Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3])
        }
    }

    /// The product of the dimensions, refused when it overflows or passes ``Limits/idxBytes``.
    static func byteCount(_ dimensions: [Int], file: String) throws -> Int {
        var total = 1
        for dimension in dimensions {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Limits.idxBytes else {
                throw InputError("IDX header claims \(dimensions.map(String.init).joined(separator: "×")) bytes, more than the \(Limits.idxBytes) this reader accepts; the header is corrupt", file: file)
            }
            total = product
        }
        return total
    }
}

/// A file read through zlib, which passes plain files through unchanged.
final class GzipReader {
    private let file: gzFile
    let path: String

    init(_ path: String) throws {
        guard let file = gzopen(path, "rb") else { throw InputError("cannot open for reading: \(String(cString: strerror(errno)))", file: path) }
        self.file = file
        self.path = path
    }

    /// Up to `count` bytes (fewer only at the end of the data).
    func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let chunk = UInt32(min(count - filled, 1 << 24))
            let got = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + filled, chunk) }
            if got < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw InputError("corrupt or truncated gzip data (\(message))", file: path)
            }
            if got == 0 { break }
            filled += Int(got)
        }
        if filled < count { bytes.removeSubrange(filled...) }
        return bytes
    }

    deinit { gzclose(file) }
}
