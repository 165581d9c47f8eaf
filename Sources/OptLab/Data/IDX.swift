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

    /// Reads a whole file, decompressing it when it is gzipped (zlib reads plain
    /// files through the same calls).
    public static func readFile(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError("no such file", file: path)
        }
        guard let file = gzopen(path, "rb") else { throw InputError("cannot open for reading", file: path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw InputError("corrupt or truncated gzip data (\(message))", file: path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(count)])
        }
        return bytes
    }

    /// Parses IDX bytes, expecting `dimensionCount` dimensions of unsigned bytes.
    public static func parse(_ data: [UInt8], expectedDimensions dimensionCount: Int, file: String) throws -> Array {
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
        var dimensions: [Int] = []
        for d in 0..<dimensionCount {
            let o = 4 + 4 * d
            dimensions.append(Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3]))
        }
        let expected = dimensions.reduce(1, *)
        let actual = data.count - headerSize
        guard actual == expected else {
            let shape = dimensions.map(String.init).joined(separator: "×")
            let what = actual < expected ? "truncated" : "has trailing bytes"
            throw InputError("IDX data \(what): header says \(shape) = \(expected) bytes, file holds \(actual)", file: file)
        }
        return Array(dimensions: dimensions, bytes: Swift.Array(data[headerSize...]))
    }
}
