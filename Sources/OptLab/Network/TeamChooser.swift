import Foundation

/// Chooses, as training goes, between a team of several threads and the calling thread
/// alone, by timing both on the run's own steps. A run's numbers do not depend on its team
/// (see ``MLP/smallProductLimit``), so switching between steps changes only the time.
///
/// Two threads are not always faster: when another process keeps one core busy, or when
/// the machine's memory bandwidth is contended (the optimizer step and element-wise passes
/// then slow several-fold on two threads, far less on one), a team waits at every region
/// for its slowest thread. The chooser repeats a cycle of full batches: the first `window`
/// on the wide team, the next `window` on one thread, the rest on whichever was faster over
/// its window, judged by the median step of each window, so that one step the host
/// delayed (by milliseconds, now and then) does not decide. A cycle costs at most
/// `window` steps at the slower speed.
///
/// A cycle that keeps the wide team lasts `period` batches. One that keeps one thread lasts
/// `shortPeriod`, then twice as long each time one thread wins again, up to `period`: a
/// moment of the host's (seen here: every thread, XLA's included, slowed for half a second)
/// that falls on the wide window costs a hundred batches on one thread, not eight hundred,
/// while a lasting competing load is still followed at the cost of a few more wide windows.
public struct TeamChooser: Sendable {
    public static let window = 16
    public static let period = 800
    /// The first cycle after the wide team lost (doubling while it keeps losing).
    public static let shortPeriod = 100
    /// Steps not timed at the start of a run (first touches of the buffers).
    public static let warmUp = 4

    private var position = -TeamChooser.warmUp
    private var wideNanoseconds: [Double] = []
    private var narrowNanoseconds: [Double] = []
    private var keepWide = true
    /// The length of the current cycle.
    private var cycle = TeamChooser.period
    /// Full batches taken on each, for reports.
    public private(set) var wideSteps = 0
    public private(set) var narrowSteps = 0

    public init() {}

    /// Whether the next step runs on the wide team.
    public var wide: Bool {
        if position < Self.window { return true }
        if position < 2 * Self.window { return false }
        return keepWide
    }

    /// Records the time of a full batch taken on the team ``wide`` named.
    public mutating func record(nanoseconds: UInt64) {
        if wide { wideSteps += 1 } else { narrowSteps += 1 }
        if position >= 0 && position < Self.window {
            wideNanoseconds.append(Double(nanoseconds))
        } else if position >= Self.window && position < 2 * Self.window {
            narrowNanoseconds.append(Double(nanoseconds))
        }
        position += 1
        if position == 2 * Self.window {
            let narrowBefore = !keepWide
            keepWide = Statistics.median(wideNanoseconds) <= Statistics.median(narrowNanoseconds)
            cycle = keepWide ? Self.period : (narrowBefore ? min(2 * cycle, Self.period) : Self.shortPeriod)
        }
        if position == cycle {
            position = 0
            wideNanoseconds.removeAll(keepingCapacity: true)
            narrowNanoseconds.removeAll(keepingCapacity: true)
        }
    }

    /// The share of full batches taken on the wide team.
    public var wideShare: Double { wideSteps + narrowSteps == 0 ? 0 : Double(wideSteps) / Double(wideSteps + narrowSteps) }
}
