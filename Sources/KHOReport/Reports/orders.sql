-- orders: how many preserved blocks of each order each generation held.
--
-- Answers: are preservations made of many small blocks or few large ones
--   (huge vmalloc areas and large folios preserve high orders)?
-- Point: each generation as its last operation left it (for a generation
--   that kexec'd: what it handed over).
-- Parameters: :generation  only this generation (NULL, the default: every one).
-- Columns: generation, order, blocks, block_bytes (page size << order),
--   bytes (blocks * block_bytes). Orders without blocks are not listed.
WITH point AS (
    SELECT g.generation, g.page_size, (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
)
SELECT p.generation, r.ord AS "order", sum(r.count) AS blocks, p.page_size << r.ord AS block_bytes,
       sum(r.count) * (p.page_size << r.ord) AS bytes
FROM point p
JOIN preserved_run r ON r.generation = p.generation AND r.from_seq <= p.seq AND (r.to_seq IS NULL OR r.to_seq > p.seq)
GROUP BY p.generation, r.ord
ORDER BY p.generation, r.ord;
