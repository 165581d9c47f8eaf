import Foundation
import Testing
import OptLab

/// Data files that lie about their size, are not files, or do not match each other.
@Suite("Safety: corrupt and mismatched data files")
struct DataFileSafetyTests {
    static func folder() -> String {
        let path = TestData.scratchRoot + "/optlab-idx-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An IDX file of unsigned bytes: the header of `dimensions`, then `data`.
    static func idx(_ dimensions: [UInt32], _ data: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return Data(bytes + data)
    }

    /// A dataset folder with `count` images of `rows`×`columns` pixels in each part.
    static func dataset(in folder: String, train: (Int, Int, Int), test: (Int, Int, Int)) {
        for (prefix, (count, rows, columns)) in [("train", train), ("t10k", test)] {
            let pixels = [UInt8](repeating: 7, count: count * rows * columns)
            FileManager.default.createFile(atPath: folder + "/\(prefix)-images-idx3-ubyte",
                                           contents: idx([UInt32(count), UInt32(rows), UInt32(columns)], pixels))
            FileManager.default.createFile(atPath: folder + "/\(prefix)-labels-idx1-ubyte",
                                           contents: idx([UInt32(count)], (0..<count).map { UInt8($0 % 10) }))
        }
    }

    @Test("a header claiming 0xFFFFFFFF × 0xFFFFFFFF × 2 bytes is refused before anything is allocated")
    func overflowingHeader() {
        let path = Self.folder() + "/huge-idx3-ubyte"
        FileManager.default.createFile(atPath: path, contents: Self.idx([0xFFFF_FFFF, 0xFFFF_FFFF, 2], [1, 2, 3]))
        let error = #expect(throws: InputError.self) { _ = try IDX.read(path, expectedDimensions: 3) }
        #expect(error?.message.contains("the header is corrupt") == true)
        #expect(error?.file == path)
    }

    @Test("devices, FIFOs and folders are refused by name, never read", arguments: ["/dev/zero", "fifo", "folder"])
    func notRegular(kind: String) throws {
        let root = Self.folder()
        var path = kind
        if kind == "fifo" { path = root + "/fifo"; #expect(mkfifo(path, 0o644) == 0) }
        if kind == "folder" { path = root }
        let error = #expect(throws: InputError.self) { _ = try IDX.read(path, expectedDimensions: 1) }
        let expected = ["/dev/zero": "character device", "fifo": "FIFO", "folder": "is a folder"][kind]!
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test("training and test images must have one size; empty and zero-pixel sets are input errors")
    func mismatched() throws {
        let larger = Self.folder()
        Self.dataset(in: larger, train: (20, 28, 28), test: (10, 56, 56))
        let error = #expect(throws: InputError.self) { _ = try DatasetName.mnist.loadBoth(dataDirectory: larger) }
        #expect(error?.message.contains("training images are 28×28 pixels but test images 56×56") == true)

        let zeroPixels = Self.folder()
        Self.dataset(in: zeroPixels, train: (20, 0, 0), test: (10, 0, 0))
        let zero = #expect(throws: InputError.self) { _ = try DatasetName.mnist.loadBoth(dataDirectory: zeroPixels) }
        #expect(zero?.message.contains("hold nothing to learn from") == true)

        let emptyTest = Self.folder()
        Self.dataset(in: emptyTest, train: (20, 4, 4), test: (0, 4, 4))
        let empty = #expect(throws: InputError.self) { _ = try DatasetName.mnist.loadBoth(dataDirectory: emptyTest) }
        #expect(empty?.message.contains("holds no images") == true)

        // Datasets built in code are checked by the trainer too.
        let train = ImageDataset(images: [UInt8](repeating: 1, count: 8 * 16), labels: [UInt8](repeating: 1, count: 8), rows: 4, columns: 4)
        let wide = ImageDataset(images: [UInt8](repeating: 1, count: 4 * 32), labels: [UInt8](repeating: 1, count: 4), rows: 4, columns: 8)
        let configuration = TrainingConfiguration(hiddenLayers: [3], optimizer: OptimizerSpec(kind: .sgd), epochs: 1, batchSize: 4)
        let trainer = #expect(throws: InputError.self) { _ = try Trainer.train(configuration, training: train, validation: nil, test: wide) }
        #expect(trainer?.message.contains("test set's images (4×8") == true)
    }
}
