import CZlib
import Foundation
import Testing
import OptLab

@Suite("Data: IDX files")
struct IDXTests {
    /// An IDX header (magic 0x0000 08 nd, big-endian dimensions) followed by `payload`.
    static func idx(_ dimensions: [Int], payload: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return bytes + payload
    }

    static func write(_ bytes: [UInt8], gzip: Bool = false) -> String {
        let path = TestData.scratchRoot + "/optlab-idx-\(UUID().uuidString)" + (gzip ? ".gz" : "")
        if gzip {
            let file = gzopen(path, "wb")!
            _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
        } else {
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
        }
        return path
    }

    static let images = idx([3, 2, 2], payload: Array(0..<12))
    static let labels = idx([3], payload: [7, 0, 9])

    @Test("a valid pair parses, plain and gzipped", arguments: [false, true])
    func valid(gzip: Bool) throws {
        let imagePath = Self.write(Self.images, gzip: gzip), labelPath = Self.write(Self.labels, gzip: gzip)
        let data = try ImageDataset.load(images: imagePath, labels: labelPath)
        #expect(data.count == 3 && data.rows == 2 && data.columns == 2)
        #expect(data.images == Array(0..<12))
        #expect(data.labels == [7, 0, 9])
    }

    @Test("wrong magic number")
    func wrongMagic() {
        var bytes = Self.images
        bytes[0] = 0x1f
        let path = Self.write(bytes)
        let error = #expect(throws: InputError.self) { _ = try IDX.parse(IDX.readFile(path), expectedDimensions: 3, file: path) }
        #expect(error?.file == path)
        #expect(error?.message.contains("not an IDX file") == true)
        let labelsAsImages = Self.write(Self.labels)
        let dims = #expect(throws: InputError.self) { _ = try IDX.parse(IDX.readFile(labelsAsImages), expectedDimensions: 3, file: labelsAsImages) }
        #expect(dims?.message.contains("has 1 dimensions; expected 3") == true)
        let floats = Self.write(Self.idx([3], payload: [1, 2, 3], type: 0x0D))
        let type = #expect(throws: InputError.self) { _ = try IDX.parse(IDX.readFile(floats), expectedDimensions: 1, file: floats) }
        #expect(type?.message.contains("type code 0x0d") == true)
    }

    @Test("truncated data, truncated header, trailing bytes, truncated gzip")
    func truncated() throws {
        for (bytes, fragment) in [
            (Array(Self.images.dropLast(2)), "truncated: header says 3×2×2 = 12 bytes, file holds 10"),
            (Array(Self.images.prefix(9)), "truncated IDX header"),
            (Self.images + [0], "has trailing bytes"),
        ] {
            let path = Self.write(bytes)
            let error = #expect(throws: InputError.self) { _ = try IDX.parse(IDX.readFile(path), expectedDimensions: 3, file: path) }
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error")")
        }
        // A gzip stream cut in half.
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.write(Self.idx([1000], payload: (0..<1000).map { UInt8($0 % 251) }), gzip: true)))
        let cut = Self.write(Array(whole.prefix(whole.count / 2)))
        let error = #expect(throws: InputError.self) { _ = try IDX.parse(IDX.readFile(cut), expectedDimensions: 1, file: cut) }
        #expect(error?.file == cut)
    }

    @Test("image and label counts must agree; labels must be classes")
    func mismatched() {
        let imagePath = Self.write(Self.images)
        let twoLabels = Self.write(Self.idx([2], payload: [1, 2]))
        let error = #expect(throws: InputError.self) { _ = try ImageDataset.load(images: imagePath, labels: twoLabels) }
        #expect(error?.message.contains("3 images but 2 labels") == true)
        let badLabel = Self.write(Self.idx([3], payload: [1, 12, 2]))
        let label = #expect(throws: InputError.self) { _ = try ImageDataset.load(images: imagePath, labels: badLabel) }
        #expect(label?.message.contains("label 12 at index 1") == true)
    }

    @Test("the real MNIST test set: 10,000 digits, labels 7 2 1 0 4 1 4 9", .enabled(if: TestData.hasMNIST, TestData.mnistMissing))
    func realMNIST() throws {
        let data = try DatasetName.mnist.load(.test, dataDirectory: try #require(TestData.mnistDirectory))
        #expect(data.count == 10_000 && data.rows == 28 && data.columns == 28)
        #expect(Array(data.labels.prefix(8)) == [7, 2, 1, 0, 4, 1, 4, 9])
    }

    @Test("missing files: the error lists every folder searched and how to get the files")
    func missing() {
        // MNIST has no system package, so nothing outside these folders can satisfy it.
        // A data folder that does not exist is an error of its own, never a silent fallback.
        let absent = #expect(throws: InputError.self) {
            _ = try DatasetName.mnist.load(.train, dataDirectory: "/nonexistent/optlab")
        }
        #expect(absent?.message.contains("the data folder /nonexistent/optlab does not exist") == true)
        let empty = TestData.scratchRoot + "/empty-data-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let error = #expect(throws: InputError.self) {
            _ = try DatasetName.mnist.load(.train, dataDirectory: empty)
        }
        let message = error?.message ?? ""
        #expect(message.contains(empty))
        #expect(message.contains("data/mnist"))
        #expect(message.contains("optlab data fetch mnist"))
        #expect(DatasetName.fashionMNIST.searchDirectories(dataDirectory: "/x", environment: ["OPTLAB_DATA": "/d"])
                == ["/x", "/d/fashion-mnist", "data/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
    }

    @Test("validation split is seeded, disjoint and complete")
    func split() throws {
        let data = ImageDataset(images: (0..<100).map { UInt8($0) }, labels: (0..<100).map { UInt8($0 % 10) }, rows: 1, columns: 1)
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let (train1, val1) = data.splitValidation(count: 20, generator: &a)
        let (train2, val2) = data.splitValidation(count: 20, generator: &b)
        #expect(val1.images == val2.images && train1.images == train2.images)
        #expect(val1.count == 20 && train1.count == 80)
        #expect(Set(val1.images + train1.images).count == 100)
    }
}

/// The folder under which every test writes its files; removed when the test process exits.
private let testScratchRoot: String = {
    let path = NSTemporaryDirectory() + "optlab-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: testScratchRoot) }
    return path
}()

enum TestData {
    /// A JSON file of reference results shipped under Tests/ (the tests run from the
    /// package root); a missing one means a broken checkout, not missing data.
    static func reference<T: Decodable>(_ path: String, as type: T.Type) -> T {
        guard let data = FileManager.default.contents(atPath: path),
              let value = try? JSONDecoder().decode(type, from: data) else {
            preconditionFailure("cannot read \(path), which ships with the tests; run them from the package root")
        }
        return value
    }

    static var scratchRoot: String { testScratchRoot }

    /// Why a test that needs the full MNIST files is skipped when they are missing.
    static let mnistMissing: Comment = "needs the real MNIST files in ../shared/data/mnist, $OPTLAB_DATA/mnist or data/mnist (optlab data fetch mnist); skipped"

    /// The first folder of the data search order (plus `../shared/data/mnist`) holding the
    /// real MNIST test files, or nil in a clone with none beside it.
    static let mnistDirectory: String? = {
        var candidates = ["../shared/data/mnist", "../../shared/data/mnist"]
        if let root = ProcessInfo.processInfo.environment["OPTLAB_DATA"], !root.isEmpty { candidates.append(root + "/mnist") }
        candidates.append("data/mnist")
        return candidates.first { folder in
            ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].allSatisfy { FileManager.default.fileExists(atPath: "\(folder)/\($0).gz") }
        }
    }()

    static var hasMNIST: Bool { mnistDirectory != nil }

    /// The shipped 2,000-digit subset of the MNIST test set (Tests/Fixtures/mnist-2000).
    static let mnistFixtureDirectory = "Tests/Fixtures/mnist-2000"

    /// A folder holding MNIST test files under the training names too, so that code
    /// needing a training set runs on little data: the real test set when it is found,
    /// else the shipped subset.
    static let mnistAsTrainingDirectory: String = {
        let folder = TestData.scratchRoot + "/optlab-mnist-as-train-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = mnistDirectory ?? mnistFixtureDirectory
        for kind in ["images-idx3", "labels-idx1"] {
            for prefix in ["train", "t10k"] {
                try? FileManager.default.copyItem(atPath: source + "/t10k-\(kind)-ubyte.gz", toPath: folder + "/\(prefix)-\(kind)-ubyte.gz")
            }
        }
        return folder
    }()

    /// The `optlab` executable built beside the test bundle.
    static var optlabBinary: String? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("optlab").path
        return [beside, ".build/release/optlab", ".build/debug/optlab"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
