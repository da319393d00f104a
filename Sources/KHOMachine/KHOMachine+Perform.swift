extension KHOMachine {
    /// Runs one call: builds its event, lets `body` fill it, and emits it with
    /// the outcome. Kernel failures (errno, NULL) are emitted too; misuse of
    /// the emulator (unknown names, addresses outside memory) is not an
    /// operation and is thrown without an event.
    func perform<T>(_ kind: MachineEvent.Kind, subject: String? = nil, arguments: [(String, MachineEvent.Value)] = [],
                    _ body: (inout MachineEvent) throws(MachineError) -> T) throws(MachineError) -> T {
        var event = MachineEvent(generation: generation, kind: kind, subject: subject)
        event.arguments = arguments.map { (name: $0.0, value: $0.1) }
        zeroedInCall = []
        defer { zeroedInCall = [] }
        do {
            let result = try body(&event)
            event.zeroed = zeroedInCall
            emit(event)
            return result
        } catch {
            event.zeroed = zeroedInCall
            switch error {
            case .kernel(let errno, let detail):
                event.outcome = .errno(errno)
                event.arguments.append(("error", .text(detail)))
                emit(event)
            case .restoreFailed(let reason):
                event.outcome = .null(reason)
                emit(event)
            default:
                break
            }
            throw error
        }
    }
}
