import Foundation

/// Reading files a user names (suites, data files): only regular files are read, so a
/// FIFO cannot hang the program and a device cannot fill its memory, and each refusal is
/// an ``InputError`` naming the file and what is wrong with it.
public enum InputFile {
    /// What stands at `path` (following symbolic links), or nil when nothing does.
    public enum Kind: Equatable { case regular(size: Int), directory, other(String) }

    public static func kind(of path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size))
        case S_IFDIR: return .directory
        case S_IFIFO: return .other("a FIFO (named pipe)")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        case S_IFSOCK: return .other("a socket")
        default: return .other("not a regular file")
        }
    }

    /// Checks that `path` is a regular file and returns its size.
    @discardableResult
    public static func checkRegular(_ path: String, what: String) throws -> Int {
        switch kind(of: path) {
        case nil: throw InputError("no such \(what)", file: path)
        case .directory: throw InputError("is a folder, not a \(what)", file: path)
        case .other(let description): throw InputError("is \(description), not a regular file; a \(what) must be a regular file", file: path)
        case .regular(let size): return size
        }
    }

    /// The bytes of a regular file of at most `limit` bytes.
    public static func read(_ path: String, what: String, limit: Int) throws -> Data {
        let size = try checkRegular(path, what: what)
        guard size <= limit else { throw InputError("the \(what) is \(size) bytes; at most \(limit) are read", file: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("cannot read the \(what) (permission?)", file: path) }
        return data
    }

    /// The text of UTF-8 bytes; invalid bytes are an error naming their line and column.
    public static func utf8Text(_ data: Data, file: String) throws -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        var line = 1, column = 1
        var iterator = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == 0x0A { line += 1; column = 1 } else { column += 1 }
            case .error:
                throw InputError("invalid UTF-8 text; the file must be UTF-8", file: file, line: line, column: column)
            case .emptyInput:
                throw InputError("invalid UTF-8 text; the file must be UTF-8", file: file)
            }
        }
    }
}
