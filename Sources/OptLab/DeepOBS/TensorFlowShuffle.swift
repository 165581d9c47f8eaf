import Foundation

/// The counter-based generator Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3", SC 2011), laid out as TensorFlow's `PhiloxRandom` is: a
/// 64-bit key from the first seed, the upper half of the 128-bit counter from the second;
/// each call enciphers the counter in ten rounds and then advances it by one. ``next()`` hands
/// out the four 32-bit words of a block one at a time, as TensorFlow's `SingleSampleAdapter`.
public struct Philox4x32: Sendable {
    private var key: (UInt32, UInt32)
    private var counter: (UInt32, UInt32, UInt32, UInt32)
    private var block: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    public init(seed: UInt64, seed2: UInt64) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        counter = (0, 0, UInt32(truncatingIfNeeded: seed2), UInt32(truncatingIfNeeded: seed2 >> 32))
    }

    /// The block of four words for `counter` under `key` (ten rounds).
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var c = counter, k = key
        for round in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c.0), p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
            if round < 9 { k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85) }
        }
        return c
    }

    /// The next 32-bit word.
    public mutating func next() -> UInt32 {
        if used == 4 {
            block = Self.block(counter: counter, key: key)
            // Advance the 128-bit counter, carrying from the lowest word.
            counter.0 &+= 1
            if counter.0 == 0 {
                counter.1 &+= 1
                if counter.1 == 0 {
                    counter.2 &+= 1
                    if counter.2 == 0 { counter.3 &+= 1 }
                }
            }
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }
}

/// The batch order of DeepOBS's TensorFlow input pipeline: `tf.data.Dataset.shuffle` with a
/// buffer larger than the data set, in a graph whose seed is the run's `random_seed`.
///
/// - The shuffle op takes its seeds from the graph: (graph seed, op seed), the op seed being
///   the number of operations created before it. In DeepOBS's quadratic data set the shuffle
///   is the graph's second operation (after the constant holding the points and the
///   constant of its buffer size), so the op seed is 2.
/// - With `reshuffle_each_iteration` (TensorFlow's default) the data set draws two words from
///   a Philox generator seeded by those seeds and seeds each new iterator's Philox with them.
///   DeepOBS re-creates the data set at every epoch (its iterator is re-initialised from the
///   graph), so every epoch starts from the same seeds and gets the same order.
/// - The iterator fills its buffer with every point, then repeatedly takes the element at a
///   uniformly drawn offset (word modulo the number left) from the front of what remains and
///   swaps the front element into its place.
///
/// Checked against DeepOBS's published runs: with this order every published run of SGD,
/// Momentum and Adam on `quadratic_deep` is replayed to float32 rounding (`QuadraticDeepTests`).
public enum TensorFlowShuffle {
    /// The op seed of the shuffle in DeepOBS's quadratic data set.
    public static let deepOBSOpSeed: UInt64 = 2

    /// TensorFlow's seeds of a graph-level seed: each truncated modulo 2³¹ − 1, and (0, 0),
    /// which TensorFlow reads as "nondeterministic", replaced by (0, 2³¹ − 1).
    public static func seeds(graphSeed: UInt64, opSeed: UInt64) -> (UInt64, UInt64) {
        let maxInt32: UInt64 = 2_147_483_647
        let seeds = (graphSeed % maxInt32, opSeed % maxInt32)
        return seeds == (0, 0) ? (0, maxInt32) : seeds
    }

    /// The order in which a freshly made iterator yields `count` elements.
    public static func order(count: Int, graphSeed: UInt64, opSeed: UInt64 = deepOBSOpSeed) -> [Int] {
        let (seed, seed2) = seeds(graphSeed: graphSeed, opSeed: opSeed)
        var parent = Philox4x32(seed: seed, seed2: seed2)
        let iteratorSeed = UInt64(parent.next()), iteratorSeed2 = UInt64(parent.next())
        var generator = Philox4x32(seed: iteratorSeed, seed2: iteratorSeed2)
        var buffer = Array(0..<count), order: [Int] = []
        order.reserveCapacity(count)
        for front in 0..<count {
            let pick = front + Int(UInt64(generator.next()) % UInt64(count - front))
            order.append(buffer[pick])
            buffer.swapAt(pick, front)
        }
        return order
    }
}
