import KHOABI

/// A generation's pages and memory, as its `generation` row states them:
/// what bounds the orders, counts and addresses its other rows may hold.
/// Queries that read blocks take the layout of each generation they read.
public struct GenerationLayout: Equatable, Sendable {
    /// Its page geometry.
    public let geometry: PageGeometry
    /// Its RAM.
    public let memory: GenerationMemory
}
