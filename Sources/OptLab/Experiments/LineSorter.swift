import Foundation

/// Reorders a CSV file's rows by the run id in their first field with bounded memory: one
/// pass reads the file in chunks and notes where each run's block of consecutive rows
/// starts and ends (an index of a few numbers per block); a second writes the header and
/// the blocks in canonical order into a temporary file, copying their bytes in chunks, and
/// renames it over the original. Neither pass holds the file: memory grows with the number
/// of runs, not of rows. Line breaks inside quoted fields stay inside their row; a final
/// line without its newline is dropped.
enum LineSorter {
    static let chunk = 1 << 20

    struct Block {
        var rank: Int
        var position: Int
        var range: Range<Int>
    }

    static func sort(_ path: String, by order: [String: Int]) throws {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RuntimeFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let (headerEnd, blocks, end) = try index(input, path: path, order: order)
        guard let headerEnd else { return }
        let sorted = blocks.sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.position < $1.position }
        // Already in order with nothing after the last complete row (a single-job run):
        // the file stands as it is.
        var status = stat()
        if fstat(input, &status) == 0, Int(status.st_size) == end,
           zip(sorted, blocks).allSatisfy({ $0.position == $1.position }) { return }
        // Blocks that follow each other in the file too are copied as one range.
        var ranges: [Range<Int>] = [0..<(headerEnd + 1)]
        for block in sorted {
            if ranges[ranges.count - 1].upperBound == block.range.lowerBound {
                ranges[ranges.count - 1] = ranges[ranges.count - 1].lowerBound..<block.range.upperBound
            } else {
                ranges.append(block.range)
            }
        }
        var buffer = [UInt8](repeating: 0, count: chunk)
        try LineStream.replace(path) { output in
            for range in ranges { try copy(input, range, to: output.fileDescriptor, buffer: &buffer, path: path) }
        }
    }

    /// One pass over the file: the header's end and the blocks of consecutive rows with one id
    /// (up to the last complete row), and where that row ends.
    static func index(_ descriptor: Int32, path: String, order: [String: Int]) throws -> (Int?, [Block], Int) {
        var buffer = [UInt8](repeating: 0, count: chunk)
        var offset = 0                       // file offset of buffer[0]
        var headerEnd: Int?
        var quoted = false
        var lineStart = 0, fieldEnded = false
        var id: [UInt8] = [], blockID: [UInt8]? = nil, blockStart = 0
        var blocks: [Block] = []
        var lastComplete = 0
        func closeBlock(at end: Int) {
            guard let current = blockID, end > blockStart else { return }
            let key = String(decoding: current, as: UTF8.self)
            blocks.append(Block(rank: order[key] ?? Int.max, position: blocks.count, range: blockStart..<end))
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, chunk, off_t(offset)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw RuntimeFailure("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            buffer.withUnsafeBufferPointer { bytes in
                let base = bytes.baseAddress!
                var i = 0
                while i < count {
                    // Past the first field of a row: jump to its end unless a quote comes
                    // first (then the bytes are walked one by one, as below).
                    if fieldEnded, !quoted, let newline = memchr(base + i, 0x0A, count - i) {
                        let end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
                        if memchr(base + i, 0x22, end - i) == nil { i = end }
                    }
                    let byte = base[i]
                    i += 1
                    if byte == 0x22 { quoted.toggle() }
                    if quoted { if !fieldEnded { id.append(byte) }; continue }
                    if byte == 0x2C, !fieldEnded { fieldEnded = true; continue }
                    guard byte == 0x0A else { if !fieldEnded { id.append(byte) }; continue }
                    let position = offset + i - 1
                    if headerEnd == nil {
                        headerEnd = position
                    } else if blockID != id {
                        closeBlock(at: lineStart)
                        blockStart = lineStart
                        blockID = id
                    }
                    lastComplete = position + 1
                    lineStart = position + 1
                    fieldEnded = false
                    id.removeAll(keepingCapacity: true)
                }
            }
            offset += count
        }
        closeBlock(at: lastComplete)
        return (headerEnd, blocks, lastComplete)
    }

    /// Copies `range` of the input to the end of the output through `buffer`.
    static func copy(_ input: Int32, _ range: Range<Int>, to output: Int32, buffer: inout [UInt8], path: String) throws {
        var position = range.lowerBound
        while position < range.upperBound {
            let want = min(buffer.count, range.upperBound - position)
            let got = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress!, want, off_t(position)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw RuntimeFailure("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            guard got > 0 else { throw RuntimeFailure("cannot read \(path): it shrank while being sorted") }
            try buffer.withUnsafeBytes { try FileWriting.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<got]), path: path) }
            position += got
        }
    }
}
