import KHOImage
import KHOMachine

/// Writes machine events to a JSON Lines file as they happen, one
/// ``EventStreamEncoder`` line each, through an ``OutputFile`` that
/// ``commit()`` puts in place.
public final class EventStreamWriter {
    private let file: OutputFile
    private let encoder: EventStreamEncoder
    /// Events written.
    public private(set) var written = 0
    /// The first write error; later events are dropped.
    public private(set) var failure: ImageError?

    /// Starts the file at `path` for the events of a machine built from `config`.
    public init(path: String, config: MachineConfig) throws {
        encoder = try EventStreamEncoder(config: config)
        file = try OutputFile(path: path)
    }

    /// A closure for `ScenarioRunner(onEvent:)`: writes each event's line.
    public var eventSink: (MachineEvent) -> Void {
        { [self] event in
            guard failure == nil else { return }
            do throws(ImageError) {
                try file.append(Array((encoder.line(event) + "\n").utf8))
                written += 1
            } catch {
                failure = error
            }
        }
    }

    /// Closes the file under its final name; throws the first write error.
    public func commit() throws(ImageError) {
        if let failure { throw failure }
        try file.commit()
    }

    /// The final path.
    public var path: String { file.path }
}
