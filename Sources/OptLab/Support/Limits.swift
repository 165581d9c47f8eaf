/// Upper bounds on what a suite or a command may ask for, checked before anything is
/// allocated or run. They keep a mistyped or hostile value (`steps: 9223372036854775807`,
/// `layers: [1000000000]`, `repeats: 1000000000`) from trapping, exhausting memory or
/// running for days; README ("Sharing suites and results safely") lists them.
public enum Limits {
    /// Optimizer steps of one surface run (each step is one trajectory row).
    public static let steps = 1_000_000
    /// Epochs of one network run.
    public static let epochs = 10_000
    /// Units in one hidden layer.
    public static let layerWidth = 10_000
    /// Hidden layers of one network.
    public static let depth = 16
    /// Examples in one mini-batch.
    public static let batchSize = 100_000
    /// Repeats (seeds) of one setting.
    public static let repeats = 1_000
    /// Tuning trials per optimizer and problem under a protocol.
    public static let tuningBudget = 10_000
    /// Values of one grid axis (a list, or a log range's `per_decade` × decades).
    public static let gridValues = 1_000
    /// Values per decade of a log range.
    public static let perDecade = 1_000
    /// Runs one suite may expand to (counted before expanding).
    public static let runs = 100_000
    /// Start points of one surface problem.
    public static let starts = 1_000
    /// Size of a suite file, in bytes.
    public static let suiteFileBytes = 1 << 20
    /// A suite's seed stays below 2⁵³, so that spreadsheets and R (which read numbers as
    /// doubles) keep every digit of it. The per-repeat seeds derived from it use all 64 bits
    /// (docs/suites.md says how to read that column).
    public static let seed: UInt64 = (1 << 53) - 1
    /// Largest shift of image augmentation, in pixels.
    public static let augmentShift = 10
    /// Largest rotation of image augmentation, in degrees either way.
    public static let augmentRotation = 180.0
    /// Largest standard deviation of augmentation pixel noise (pixels are in [0, 1]).
    public static let augmentNoise = 1.0
    /// Largest standard deviation of a surface's gradient noise.
    public static let gradientNoise = 1e6
    /// Threads sharing one training batch.
    public static let threads = 256
    /// Bytes of one decompressed IDX file (MNIST's training images are 47 MB).
    public static let idxBytes = 1 << 30
    /// Error messages `validate` prints before it stops looking.
    public static let reportedErrors = 50
}
