-- timeline: preserved bytes after every operation.
--
-- Answers: how did each generation's preserved memory grow and shrink, op
--   by op, up to its handover?
-- Counts the blocks in the tracker of the operation's own generation right
--   after it (a new generation starts from the blocks KHO preserves at boot).
-- Parameters: :generation  only this generation's operations (NULL, the
--   default: every one).
-- Columns: seq, generation, time, kind, subject, delta_bytes (preserved
--   by the operation, minus unpreserved), preserved_bytes (after it).
WITH change(generation, seq, bytes) AS (
    SELECT r.generation, r.from_seq, r.count * (g.page_size << r.ord)
    FROM preserved_run r JOIN generation g ON g.generation = r.generation
    WHERE :generation IS NULL OR r.generation = :generation
    UNION ALL
    -- Runs that ended inside their own generation (not at the next boot).
    SELECT r.generation, r.to_seq, -r.count * (g.page_size << r.ord)
    FROM preserved_run r JOIN generation g ON g.generation = r.generation
    JOIN op e ON e.seq = r.to_seq AND e.generation = r.generation
    WHERE :generation IS NULL OR r.generation = :generation
),
per_op AS (
    SELECT generation, seq, sum(bytes) AS bytes FROM change GROUP BY generation, seq
)
SELECT o.seq, o.generation, o.time, o.kind, o.subject, coalesce(d.bytes, 0) AS delta_bytes,
       sum(coalesce(d.bytes, 0)) OVER (PARTITION BY o.generation ORDER BY o.seq) AS preserved_bytes
FROM op o LEFT JOIN per_op d ON d.generation = o.generation AND d.seq = o.seq
WHERE :generation IS NULL OR o.generation = :generation
ORDER BY o.seq;
