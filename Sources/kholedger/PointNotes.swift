import KHOReplay

/// What a command says when a point it answered for does not mean what it
/// was written as (``ResolvedPoint/note``: `gen:G` of a generation that never
/// handed over is its last operation): `note: …` lines before its text, and
/// `"point_notes": [...]` in its JSON (left out when there is none).
struct PointNotes {
    let notes: [String]

    init(_ points: ResolvedPoint...) {
        notes = points.compactMap(\.note)
    }

    /// `text` after one `note:` line per note.
    func text(_ text: String) -> String {
        (notes.map { "note: \($0)" } + [text]).joined(separator: "\n")
    }

    /// `body`'s JSON with the notes added as `"point_notes"`.
    func json(_ body: some Encodable) throws -> String {
        try JSONOutput.string(Noted(body: body, notes: notes))
    }

    private struct Noted<Body: Encodable>: Encodable {
        let body: Body
        let notes: [String]

        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            guard !notes.isEmpty else { return }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(notes, forKey: .pointNotes)
        }

        enum Key: String, CodingKey { case pointNotes }
    }
}
