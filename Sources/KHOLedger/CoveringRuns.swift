/// Reads "which rows of a run-length table cover the page at P" through the
/// `(span_bits, phys)` index of migration 0007, without reading the rows far
/// from P.
///
/// `op_change`, `preserved_run` and `object_extent` rows cover `count`
/// blocks of `ord` from `phys`. Their `span_bits` column is a size class: a
/// row spans fewer than `2^span_bits` pages, so a row of class `b` that
/// covers P starts above `P - (largest page size << b)`. The query finds the
/// classes present with one index seek each (a loose index scan) and reads,
/// per class, only the rows starting in that window below P.
///
/// A packed row (``PackedBlocks``, `blocks` not NULL) is not a run: its
/// `span_bits` describes `count` contiguous blocks it does not cover.
/// Callers keep such rows out (`blocks IS NULL`) and find them by their
/// lists instead.
public enum CoveringRuns {
    /// A common table expression named `name` holding the rows of `table`
    /// that may cover the page bound to `:page`: every row covering it, and
    /// rows of its size class that start shortly below it. The caller keeps
    /// the rows whose span, with their generation's page size, reaches past
    /// `:page` (``covers(_:pageSize:)``).
    ///
    /// Put it after `WITH RECURSIVE`; it also defines `name_class`. The
    /// rows are read through `table_by_page` whatever else the query
    /// filters on: another index (by generation and time) would read the
    /// generation's whole history.
    public static func near(_ table: String, as name: String) -> String {
        """
        \(name)_class(bits) AS (
            SELECT min(span_bits) FROM \(table)
            UNION ALL
            SELECT (SELECT min(span_bits) FROM \(table) WHERE span_bits > bits) FROM \(name)_class WHERE bits IS NOT NULL
        ),
        \(name) AS (
            SELECT r.* FROM \(name)_class JOIN \(table) r INDEXED BY \(table)_by_page ON r.span_bits = \(name)_class.bits
                AND r.phys > :page - ((SELECT max(page_size) FROM generation) << min(\(name)_class.bits, \(maxShift)))
                AND r.phys <= :page
        )
        """
    }

    /// The condition that row `alias` of a run-length table, with blocks of
    /// `pageSize` bytes (an SQL expression), covers `:page`.
    public static func covers(_ alias: String, pageSize: String) -> String {
        ":page < \(alias).phys + \(alias).count * (\(pageSize) << \(alias).ord)"
    }

    /// The window's shift is capped so that it cannot overflow 64 bits
    /// (pages of at most 2^16 bytes): 2^62 bytes is more than any memory.
    static let maxShift = 46
}
