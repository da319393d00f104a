-- fragmentation: preserved and free runs of physical memory per generation.
--
-- Answers: how scattered is the preserved memory, and how large a
--   contiguous allocation could the next kernel still make around it?
-- Point: each generation as its last operation left it (for a generation
--   that kexec'd: what it handed over).
-- Memory: [memory_base, memory_base + memory_size) of the generation's
--   machine configuration. A preserved run is a stretch of contiguous
--   preserved blocks (of any orders); a free run is a stretch of memory
--   between preserved runs, or before the first or after the last. "Free"
--   means not preserved: what the next kernel may reuse.
-- Parameters: :generation  only this generation (NULL, the default: every one).
-- Columns: generation, memory_bytes, preserved_runs, preserved_bytes,
--   largest_preserved_run (bytes), free_runs, free_bytes, largest_free_run
--   (bytes), largest_free_phys (where it starts; the lowest such run).
WITH point AS (
    SELECT g.generation, g.page_size, g.memory_base AS base, g.memory_base + g.memory_size AS top, g.memory_size,
           (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
),
-- Every preserved block (preserved_run_block reads runs and packed rows).
block AS (
    SELECT b.generation, b.phys AS lo, b.phys + b.size AS hi
    FROM point p
    JOIN preserved_run_block b ON b.generation = p.generation AND b.from_seq <= p.seq AND (b.to_seq IS NULL OR b.to_seq > p.seq)
),
-- A block starts a new preserved run unless it touches (or overlaps) the ones before it.
marked AS (
    SELECT generation, lo, hi,
           CASE WHEN lo <= max(hi) OVER (PARTITION BY generation ORDER BY lo, hi
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS starts
    FROM block
),
numbered AS (
    SELECT generation, lo, hi, sum(starts) OVER (PARTITION BY generation ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS run
    FROM marked
),
preserved AS (
    SELECT generation, min(lo) AS lo, max(hi) AS hi FROM numbered GROUP BY generation, run
),
-- Free runs: before each preserved run (from the end of the previous one,
-- or the base of memory) and after the last one.
gap AS (
    SELECT s.generation, coalesce(lag(s.hi) OVER (PARTITION BY s.generation ORDER BY s.lo), p.base) AS lo, s.lo AS hi
    FROM preserved s JOIN point p ON p.generation = s.generation
    UNION ALL
    SELECT p.generation, coalesce((SELECT max(hi) FROM preserved s WHERE s.generation = p.generation), p.base), p.top
    FROM point p
),
free AS (
    SELECT generation, lo, hi FROM gap WHERE hi > lo
)
SELECT p.generation, p.memory_size AS memory_bytes,
       (SELECT count(*) FROM preserved s WHERE s.generation = p.generation) AS preserved_runs,
       (SELECT coalesce(sum(hi - lo), 0) FROM preserved s WHERE s.generation = p.generation) AS preserved_bytes,
       (SELECT coalesce(max(hi - lo), 0) FROM preserved s WHERE s.generation = p.generation) AS largest_preserved_run,
       (SELECT count(*) FROM free f WHERE f.generation = p.generation) AS free_runs,
       (SELECT coalesce(sum(hi - lo), 0) FROM free f WHERE f.generation = p.generation) AS free_bytes,
       (SELECT coalesce(max(hi - lo), 0) FROM free f WHERE f.generation = p.generation) AS largest_free_run,
       (SELECT printf('0x%x', lo) FROM free f WHERE f.generation = p.generation ORDER BY hi - lo DESC, lo LIMIT 1)
           AS largest_free_phys
FROM point p
ORDER BY p.generation;
