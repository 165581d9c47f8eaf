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
        let (headerEnd, blocks) = try index(input, path: path, order: order)
        guard let headerEnd else { return }
        let sorted = blocks.sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.position < $1.position }
        try LineStream.replace(path) { output in
            try copy(input, 0..<(headerEnd + 1), to: output.fileDescriptor, path: path)
            for block in sorted { try copy(input, block.range, to: output.fileDescriptor, path: path) }
        }
    }

    /// One pass over the file: the header's end and the blocks of consecutive rows with one id
    /// (up to the last complete row).
    static func index(_ descriptor: Int32, path: String, order: [String: Int]) throws -> (Int?, [Block]) {
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
            for i in 0..<count {
                let byte = buffer[i]
                if byte == 0x22 { quoted.toggle() }
                if quoted { if !fieldEnded { id.append(byte) }; continue }
                if byte == 0x2C, !fieldEnded { fieldEnded = true; continue }
                guard byte == 0x0A else { if !fieldEnded { id.append(byte) }; continue }
                let position = offset + i
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
            offset += count
        }
        closeBlock(at: lastComplete)
        return (headerEnd, blocks)
    }

    /// Copies `range` of the input to the end of the output, a chunk at a time.
    static func copy(_ input: Int32, _ range: Range<Int>, to output: Int32, path: String) throws {
        var buffer = [UInt8](repeating: 0, count: min(chunk, range.count))
        var position = range.lowerBound
        while position < range.upperBound {
            let want = min(buffer.count, range.upperBound - position)
            let got = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress!, want, off_t(position)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw RuntimeFailure("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            guard got > 0 else { throw RuntimeFailure("cannot read \(path): it shrank while being sorted") }
            try FileWriting.writeAll(output, Array(buffer[0..<got]), path: path)
            position += got
        }
    }
}
