import CMath
import Foundation

public enum ResourceUsage {
    /// Peak resident set size of this process (VmHWM in /proc/self/status), in MB.
    public static func peakResidentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}

public enum ProcessSetup {
    /// Makes standard output line-buffered (progress lines appear as they are printed
    /// when output goes to a file or a pipe).
    public static func lineBufferStandardOutput() { optlab_line_buffer_stdout() }
}

/// The first executable called `name` on `$PATH`.
public func executableOnPath(_ name: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
