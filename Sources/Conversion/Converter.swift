import Foundation
import ImageData

/// Settings of a conversion run that do not depend on the model.
public struct ConversionSettings: Sendable {
    public var size: SizeMode
    public var loadSize: Int
    public var keepSize: Bool
    public var format: OutputFormat
    public var encode: EncodeOptions
    public var decode: DecodeOptions
    /// Largest padded network input (width x height) accepted; bigger images fail with a hint.
    public var maxInputPixels: Int
    /// Decode, compute and encode on three threads with small queues between them; false runs each image
    /// through the three steps in turn on one thread (to measure what the overlap gains).
    public var overlap: Bool
    /// Images waiting between two stages.
    public var queueCapacity: Int

    public init(size: SizeMode = .none, loadSize: Int = 256, keepSize: Bool = false, format: OutputFormat = .png,
                encode: EncodeOptions = EncodeOptions(), decode: DecodeOptions = DecodeOptions(),
                maxInputPixels: Int = 4096 * 4096, overlap: Bool = true, queueCapacity: Int = 2) {
        self.size = size
        self.loadSize = loadSize
        self.keepSize = keepSize
        self.format = format
        self.encode = encode
        self.decode = decode
        self.maxInputPixels = maxInputPixels
        self.overlap = overlap
        self.queueCapacity = queueCapacity
    }
}

/// What happened to one planned item, reported in input order.
public enum ConversionEvent: Sendable {
    /// Written to `output` (nil: to stdout).
    case converted(PlannedItem, output: String?)
    case skipped(PlannedItem)
    case failed(PlannedItem, reason: String)
}

/// Counts so far (and at the end).
public struct ConversionSummary: Sendable, Equatable {
    public var total = 0
    public var converted = 0
    public var skipped = 0
    public var failed = 0
    /// Wall time since the run started.
    public var seconds = 0.0
    /// True when `shouldStop` ended the run early.
    public var stopped = false

    public var done: Int { converted + skipped + failed }
    /// Converted images per second of wall time.
    public var imagesPerSecond: Double { seconds > 0 ? Double(converted) / seconds : 0 }
}

/// The decode → compute → encode pipeline of `convert`.
///
/// With `overlap`, a decode thread reads, decodes, resizes and pads the next images while the calling thread
/// runs the network, and an encode thread crops, encodes and writes the previous results; queues of
/// `queueCapacity` images keep memory bounded. Every image failure (unreadable, corrupt, too big, write error)
/// becomes a `.failed` event and the run goes on. Events come in input order, one at a time, from the
/// encode thread (or the calling thread without overlap).
public final class Converter {
    public let translator: ImageTranslator
    public let settings: ConversionSettings
    public let policy: SizePolicy
    /// Reads stdin when an item's input is "-" (replaceable in tests).
    public var readStdin: () -> [UInt8] = { Array(FileHandle.standardInput.readDataToEndOfFile()) }
    /// Writes the image bytes for stdout targets.
    public var writeStdout: ([UInt8]) throws -> Void = { try writeAll($0, to: STDOUT_FILENO) }

    public init(translator: ImageTranslator, settings: ConversionSettings) {
        self.translator = translator
        self.settings = settings
        policy = SizePolicy(mode: settings.size, loadSize: settings.loadSize, keepSize: settings.keepSize,
                            constraint: translator.constraint)
    }

    /// An image on its way through the pipeline.
    private enum Work {
        case ready(PlannedItem, PreparedImage, TensorBox)
        case computed(PlannedItem, PreparedImage, TensorBox)
        case finished(PlannedItem, ConversionEvent)
    }

    public func run(_ plan: [PlannedItem], shouldStop: @escaping () -> Bool = { false },
                    onEvent: @escaping (ConversionEvent, ConversionSummary) -> Void) -> ConversionSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        var summary = ConversionSummary()
        summary.total = plan.count
        let report = { (event: ConversionEvent) in
            switch event {
            case .converted: summary.converted += 1
            case .skipped: summary.skipped += 1
            case .failed: summary.failed += 1
            }
            summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            onEvent(event, summary)
        }
        var stopped = false
        if settings.overlap {
            let decoded = BoundedQueue<Work>(capacity: settings.queueCapacity)
            let computed = BoundedQueue<Work>(capacity: settings.queueCapacity)
            let shared = SharedState(self, report: report, shouldStop: shouldStop)
            let decodeThread = Thread {
                for item in plan {
                    if shared.shouldStop() { shared.stopped = true; break }
                    decoded.push(shared.converter.load(item))
                }
                decoded.close()
            }
            let encodeDone = DispatchSemaphore(value: 0)
            let encodeThread = Thread {
                while let work = computed.pop() { shared.report(shared.converter.store(work)) }
                encodeDone.signal()
            }
            decodeThread.start()
            encodeThread.start()
            while let work = decoded.pop() { computed.push(compute(work)) }
            computed.close()
            encodeDone.wait()
            stopped = shared.stopped
        } else {
            for item in plan {
                if shouldStop() { stopped = true; break }
                report(store(compute(load(item))))
            }
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        summary.stopped = stopped
        return summary
    }

    // MARK: stages

    /// Decode and prepare (decode thread).
    private func load(_ planned: PlannedItem) -> Work {
        switch planned.action {
        case .skip: return .finished(planned, .skipped(planned))
        case .fail(let reason): return .finished(planned, .failed(planned, reason: reason))
        case .convert: break
        }
        let path = planned.item.input
        let label = path == "-" ? "<stdin>" : path
        do {
            let mode = ColorMode(channels: translator.inputChannels)
            let image: RGBImage
            if path == "-" {
                image = try RGBImage.decode(readStdin(), path: label, mode: mode, options: settings.decode)
            } else {
                image = try RGBImage(contentsOf: path, mode: mode, options: settings.decode)
            }
            guard image.width > 0 && image.height > 0 else { throw ConversionError(path: label, reason: "image has no pixels") }
            let prepared = policy.prepare(image)
            let pixels = prepared.paddedWidth * prepared.paddedHeight
            if pixels > settings.maxInputPixels {
                throw ConversionError(path: label, reason: "\(image.width)x\(image.height) needs a \(prepared.paddedWidth)x\(prepared.paddedHeight) "
                    + "network input, more than the limit of \(settings.maxInputPixels) pixels (--max-pixels); use --preprocess resize or raise the limit")
            }
            return .ready(planned, prepared, TensorBox(policy.inputTensor(prepared)))
        } catch {
            return .finished(planned, .failed(planned, reason: InputListing.reasonOnly(describe(error, path: label), label)))
        }
    }

    /// The network (calling thread).
    private func compute(_ work: Work) -> Work {
        guard case .ready(let planned, let prepared, let input) = work else { return work }
        let output = translator.run(input.tensor, key: planned.key)
        return .computed(planned, prepared, TensorBox(output))
    }

    /// Crop back, encode, write (encode thread).
    private func store(_ work: Work) -> ConversionEvent {
        switch work {
        case .finished(_, let event):
            return event
        case .ready(let planned, _, _):
            return .failed(planned, reason: "internal: not computed")
        case .computed(let planned, let prepared, let output):
            let image = policy.finish(output.tensor, prepared)
            let label = planned.output ?? "<stdout>"
            do {
                let bytes = try image.encoded(as: settings.format.imageFormat, options: settings.encode, path: label)
                if let path = planned.output {
                    try createParentFolder(of: path)
                    try writeFileAtomically(bytes, to: path)
                } else {
                    try writeStdout(bytes)
                }
                return .converted(planned, output: planned.output)
            } catch {
                return .failed(planned, reason: describe(error, path: label))
            }
        }
    }

    private func createParentFolder(of path: String) throws {
        let folder = parentPath(of: path)
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ConversionError(path: folder, reason: "cannot create the output folder: \((error as NSError).localizedDescription)")
        }
    }
}

/// What the pipeline threads share; each field is touched by one thread at a time (the report closure only by
/// the encode thread, `stopped` only by the decode thread until it is joined).
private final class SharedState: @unchecked Sendable {
    let converter: Converter
    let report: (ConversionEvent) -> Void
    let shouldStop: () -> Bool
    var stopped = false
    init(_ converter: Converter, report: @escaping (ConversionEvent) -> Void, shouldStop: @escaping () -> Bool) {
        self.converter = converter
        self.report = report
        self.shouldStop = shouldStop
    }
}

/// A tensor handed from one pipeline thread to the next (never used by two threads at once).
struct TensorBox: @unchecked Sendable {
    let tensor: Tensor
    init(_ tensor: Tensor) { self.tensor = tensor }
}

/// Writes all bytes to a file descriptor (retrying short writes and EINTR).
public func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            throw ConversionError(path: "<stdout>", reason: "write failed: \(String(cString: strerror(errno)))")
        }
        written += n
    }
}
