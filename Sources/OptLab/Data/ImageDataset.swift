import Foundation

/// Labelled images kept as bytes (60k MNIST images: 47 MB as UInt8, 188 MB as Float);
/// batches are scaled to [0, 1] when they are filled.
public struct ImageDataset: Sendable {
    public var images: [UInt8]
    public var labels: [UInt8]
    public let rows: Int
    public let columns: Int
    public let classCount: Int

    public var count: Int { labels.count }
    public var pixelsPerImage: Int { rows * columns }

    public init(images: [UInt8], labels: [UInt8], rows: Int, columns: Int, classCount: Int = 10) {
        precondition(images.count == labels.count * rows * columns, "images and labels disagree")
        self.images = images
        self.labels = labels
        self.rows = rows
        self.columns = columns
        self.classCount = classCount
    }

    /// Reads an image file (3 dimensions) and a label file (1 dimension) and checks
    /// that they agree.
    public static func load(images imagePath: String, labels labelPath: String, classCount: Int = 10) throws -> ImageDataset {
        let images = try IDX.read(imagePath, expectedDimensions: 3)
        let labels = try IDX.read(labelPath, expectedDimensions: 1)
        guard images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw InputError("images of \(images.dimensions[1])×\(images.dimensions[2]) pixels hold nothing to learn from", file: imagePath)
        }
        guard images.dimensions[0] > 0 else { throw InputError("the file holds no images", file: imagePath) }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw InputError("\(images.dimensions[0]) images but \(labels.dimensions[0]) labels in \(labelPath)", file: imagePath)
        }
        if let bad = labels.bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw InputError("label \(labels.bytes[bad]) at index \(bad) is outside 0...\(classCount - 1)", file: labelPath)
        }
        return ImageDataset(images: images.bytes, labels: labels.bytes,
                            rows: images.dimensions[1], columns: images.dimensions[2], classCount: classCount)
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: some Collection<Int>) -> ImageDataset {
        var images: [UInt8] = []
        images.reserveCapacity(indices.count * pixelsPerImage)
        var labels: [UInt8] = []
        labels.reserveCapacity(indices.count)
        for i in indices {
            images.append(contentsOf: self.images[(i * pixelsPerImage)..<((i + 1) * pixelsPerImage)])
            labels.append(self.labels[i])
        }
        return ImageDataset(images: images, labels: labels, rows: rows, columns: columns, classCount: classCount)
    }

    /// Splits off `count` examples drawn at random (with `generator`) as a validation
    /// set; returns (training, validation), each in the original order.
    public func splitValidation(count validationCount: Int, generator: inout SplitMix64) -> (ImageDataset, ImageDataset) {
        precondition(validationCount >= 0 && validationCount < count, "validation size out of range")
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let validation = order[..<validationCount].sorted()
        let training = order[validationCount...].sorted()
        return (subset(training), subset(validation))
    }
}

/// The datasets OptLab knows, with where to find their files.
public enum DatasetName: String, CaseIterable, Sendable, Codable {
    case mnist
    case fashionMNIST = "fashion-mnist"

    public static func parse(_ name: String) throws -> DatasetName {
        if let dataset = DatasetName(rawValue: name.lowercased()) { return dataset }
        throw InputError(NearestName.unknownMessage(kind: "dataset", name: name, valid: allCases.map(\.rawValue)))
    }

    /// Training images in both datasets' standard split (the test split has 10,000).
    public static let trainingImages = 60_000
    public static let testImages = 10_000

    /// Where a Debian package installs the files, if one does.
    public var systemDirectory: String? {
        self == .fashionMNIST ? "/usr/share/datasets/fashion-mnist" : nil
    }

    /// Folders searched, in order: `--data-dir`, `$OPTLAB_DATA/<name>`, `data/<name>`,
    /// then the system folder.
    public func searchDirectories(dataDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var folders: [String] = []
        if let dataDirectory { folders.append(dataDirectory) }
        if let root = environment["OPTLAB_DATA"], !root.isEmpty { folders.append(root + "/" + rawValue) }
        folders.append("data/" + rawValue)
        if let systemDirectory { folders.append(systemDirectory) }
        return folders
    }

    /// The path of `stem` (e.g. `train-images-idx3-ubyte`) in `folder`, gzipped or not.
    static func file(_ stem: String, in folder: String) -> String? {
        for candidate in [stem + ".gz", stem] {
            let path = folder + "/" + candidate
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    public enum Part: String, Sendable { case train, test }

    /// The first searched folder that holds all four files.
    public func locate(dataDirectory: String?) throws -> String? {
        searchDirectories(dataDirectory: dataDirectory).first { folder in
            ["train", "t10k"].allSatisfy { prefix in
                Self.file("\(prefix)-images-idx3-ubyte", in: folder) != nil && Self.file("\(prefix)-labels-idx1-ubyte", in: folder) != nil
            }
        }
    }

    /// The training and the test part, checked to describe the same task: the same image
    /// size (a network sized for one cannot read the other) and the same classes.
    public func loadBoth(dataDirectory: String?) throws -> (train: ImageDataset, test: ImageDataset) {
        let train = try load(.train, dataDirectory: dataDirectory)
        let test = try load(.test, dataDirectory: dataDirectory)
        guard train.rows == test.rows, train.columns == test.columns else {
            throw InputError("\(rawValue): training images are \(train.rows)×\(train.columns) pixels but test images \(test.rows)×\(test.columns); both parts must have one size")
        }
        guard train.classCount == test.classCount else {
            throw InputError("\(rawValue): training and test sets have different class counts")
        }
        return (train, test)
    }

    /// Loads the training or the test part from the first folder that holds both of
    /// its files; the error lists every folder searched and how to get the files.
    public func load(_ part: Part, dataDirectory: String?) throws -> ImageDataset {
        let prefix = part == .train ? "train" : "t10k"
        if let dataDirectory, InputFile.kind(of: dataDirectory) != .directory {
            throw InputError("the data folder \(dataDirectory) does not exist (or is not a folder)")
        }
        let folders = searchDirectories(dataDirectory: dataDirectory)
        for folder in folders {
            if let images = Self.file("\(prefix)-images-idx3-ubyte", in: folder),
               let labels = Self.file("\(prefix)-labels-idx1-ubyte", in: folder) {
                return try ImageDataset.load(images: images, labels: labels)
            }
        }
        var help = "run 'optlab data fetch \(rawValue)'"
        if self == .fashionMNIST { help += " or 'apt-get install dataset-fashion-mnist'" }
        throw InputError("""
            \(rawValue) \(part.rawValue) files (\(prefix)-images-idx3-ubyte[.gz], \(prefix)-labels-idx1-ubyte[.gz]) \
            not found; looked in: \(folders.joined(separator: ", ")). To get them, \(help), or pass --data-dir.
            """)
    }
}
