import CParallel
import Foundation

/// A fixed team of threads that splits one training run's loops between cores.
///
/// The network's matrix products, element-wise passes and optimizer step each open a
/// short parallel region (`run`), in which every thread takes one contiguous chunk of
/// the rows or elements (`chunk`). Work is split by output rows and parameter ranges,
/// never along a sum, so each output element is computed by one thread in the same
/// order whatever the chunk boundaries are. A team of one thread runs everything
/// inline; suites use such teams, one run per core.
public final class ThreadTeam: @unchecked Sendable {
    public let size: Int
    private let team: OpaquePointer

    /// A team of `threads` threads in all, the calling thread included (at most
    /// ``Limits/threads``). When the system refuses to start that many, the team runs
    /// with one thread and says so on standard error: slower, same numbers.
    public init(threads: Int) {
        let wanted = Int32(min(max(1, threads), Limits.threads))
        if let team = optlab_team_create(wanted) {
            self.team = team
        } else {
            FileHandle.standardError.write(Data("optlab: warning: could not start \(wanted - 1) worker threads; running on one\n".utf8))
            // A team of one starts no thread; only an out-of-memory calloc can fail it.
            guard let single = optlab_team_create(1) else { preconditionFailure("out of memory creating a thread team") }
            self.team = single
        }
        size = Int(optlab_team_size(team))
    }

    deinit { optlab_team_destroy(team) }

    /// One thread: everything runs on the caller.
    public static let serial = ThreadTeam(threads: 1)

    /// Calls `body(part)` for every part in `0..<size` at once, part 0 on the calling
    /// thread, and returns when all have returned.
    public func run(_ body: (Int) -> Void) {
        if size == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { pointer in
                optlab_team_run(team, { context, part, _ in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
                }, pointer)
            }
        }
    }

    /// Splits `0..<count` into one contiguous chunk per thread (boundaries on multiples
    /// of `granularity`) and calls `body` with each non-empty chunk, in parallel when
    /// `count` reaches `minimumCount`, else once with the whole range on the caller.
    public func forEachChunk(_ count: Int, granularity: Int = 1, minimumCount: Int = 0, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        guard size > 1, count >= minimumCount, count > granularity else { body(0..<count); return }
        run { part in
            let range = ThreadTeam.chunk(part, of: size, count: count, granularity: granularity)
            if !range.isEmpty { body(range) }
        }
    }

    /// Part `part` of `parts` near-equal contiguous chunks of `0..<count`.
    public static func chunk(_ part: Int, of parts: Int, count: Int, granularity: Int = 1) -> Range<Int> {
        let units = (count + granularity - 1) / granularity
        let perPart = (units + parts - 1) / parts
        let start = min(part * perPart * granularity, count)
        return start..<min(start + perPart * granularity, count)
    }

    /// A team for one run that has the machine to itself (`optlab train`, benchmarks):
    /// `threads` threads, or one per core. OpenBLAS is set to one thread, since the team
    /// already splits every product, and its idle pool is ended so that it does not spin
    /// beside the team in the first tenth of a second.
    public static func forOneRun(threads: Int?) -> ThreadTeam {
        BLASThreads.set(1)
        BLASThreads.stopIdleWorkers()
        return ThreadTeam(threads: threads ?? availableCores)
    }

    /// The processors this process may run on: its affinity mask, which `taskset`,
    /// cpusets and Slurm allocations narrow (more threads than that would wait on one
    /// another).
    public static var availableCores: Int { Int(optlab_available_processors()) }
}
