import Foundation

/// The program's version, and the git commit of the checkout it was built in, when known.
public enum BuildInfo {
    public static let version = "0.6.0"

    /// `optlab 0.6.0 (git commit 1a2b3c4d5e6f of the checkout /path); OpenBLAS kernels:
    /// Cooperlake`, with the commit when the executable sits in a git checkout's `.build`
    /// folder (as `swift build` leaves it). The kernels are those this process loaded
    /// (``BLASThreads/coreName``): the products' last bits depend on them.
    public static var versionLine: String {
        let kernels = "; OpenBLAS kernels: \(BLASThreads.coreName)"
        guard let (commit, root) = checkoutCommit() else {
            return "optlab \(version) (git commit unknown: not run from a source checkout's .build folder)" + kernels
        }
        return "optlab \(version) (git commit \(commit) of the checkout \(root))" + kernels
    }

    /// The commit at HEAD of the checkout holding the running executable, if any.
    static func checkoutCommit() -> (String, String)? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // Up from .build/<configuration>/optlab to the folder that holds .build.
        while folder.path != "/" {
            if folder.lastPathComponent.hasPrefix(".build") {
                let root = folder.deletingLastPathComponent()
                return head(ofGitDirectory: root.appendingPathComponent(".git").path).map { ($0, root.path) }
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// HEAD's commit id from a `.git` folder: a detached id, a loose ref or a packed one.
    public static func head(ofGitDirectory gitDirectory: String) -> String? {
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let head = read(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref: ") else { return head.count >= 12 ? String(head.prefix(12)) : nil }
        let ref = String(head.dropFirst(5))
        if let id = read(gitDirectory + "/" + ref), id.count >= 12 { return String(id.prefix(12)) }
        for line in (read(gitDirectory + "/packed-refs") ?? "").split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.prefix(12))
        }
        return nil
    }
}
