import Foundation

/// An exclusive lock on a results folder, held by the one process writing it.
///
/// It is an OS file lock (`flock`) on `<folder>/.lock`, so it ends with the process
/// however the process ends (`kill -9` included) and a later `--resume` can proceed.
/// The holder writes its process id into the file, for the message a second writer gets.
public final class FolderLock: @unchecked Sendable {
    public let directory: String
    private let descriptor: Int32

    public static let fileName = ".lock"

    /// Takes the lock, creating the folder when needed. A folder already locked by
    /// another process is an ``InputError`` (exit code 2) naming the holder.
    public init(_ directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RuntimeFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let holder = Self.holder(descriptor)
            close(descriptor)
            guard busy else { throw RuntimeFailure("cannot lock \(path): \(String(cString: strerror(errno)))") }
            throw InputError("\(directory) is being written by another optlab process\(holder.map { " (process id \($0))" } ?? ""); wait for it to finish, or stop it and continue with --resume")
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    private static func holder(_ descriptor: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
