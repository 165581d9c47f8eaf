import CZlib
import Foundation

/// A minimal PNG reader for tests: 8-bit RGB or RGBA, not interlaced (what gnuplot's
/// pngcairo terminal writes). Decodes the pixels to count distinct colours.
struct PNGImage {
    let width: Int
    let height: Int
    let pixels: [UInt32]  // 0xRRGGBB

    enum Failure: Error { case notPNG, unsupported(String), corrupt(String) }

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.corrupt("unreadable") }
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure.notPNG }
        func u32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        var offset = 8, width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        var sawEnd = false
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw Failure.corrupt("chunk \(type) overruns the file") }
            switch type {
            case "IHDR":
                width = u32(body); height = u32(body + 4)
                guard bytes[body + 8] == 8, bytes[body + 12] == 0 else { throw Failure.unsupported("bit depth or interlace") }
                switch bytes[body + 9] {
                case 2: channels = 3
                case 6: channels = 4
                default: throw Failure.unsupported("colour type \(bytes[body + 9])")
                }
            case "IDAT": compressed += bytes[body..<(body + length)]
            case "IEND": sawEnd = true
            default: break
            }
            offset = body + length + 4
        }
        guard sawEnd, width > 0, height > 0 else { throw Failure.corrupt("missing IHDR or IEND") }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: height * (stride + 1))
        var rawLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBytes { out in
            compressed.withUnsafeBytes { input in
                uncompress(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &rawLength,
                           input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(compressed.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Failure.corrupt("image data does not inflate") }
        var previous = [UInt8](repeating: 0, count: stride)
        var pixels: [UInt32] = []
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            var line = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
            for i in 0..<stride {
                let a = i >= channels ? Int(line[i - channels]) : 0
                let b = Int(previous[i])
                let c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure.corrupt("filter \(filter)")
                }
                line[i] = UInt8(truncatingIfNeeded: Int(line[i]) + predictor)
            }
            for x in 0..<width {
                let p = x * channels
                pixels.append(UInt32(line[p]) << 16 | UInt32(line[p + 1]) << 8 | UInt32(line[p + 2]))
            }
            previous = line
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    var distinctColors: Int { Set(pixels).count }

    /// Whether some pixel has exactly this colour (0xRRGGBB).
    func contains(rgb: UInt32) -> Bool { pixels.contains(rgb) }
}
