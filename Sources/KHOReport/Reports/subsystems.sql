-- subsystems: preserved memory per consumer, with the subtrees that lead to it.
--
-- Answers: which subsystem holds how much of a handover, and through which
--   root FDT subtree does the next kernel find it?
-- A consumer is the name of the area, folio or blob an operation preserved,
--   up to its first "/" (memfd/folio and memfd/ser are consumer memfd;
--   kho_test/folio is kho_test); "(kho)" is the root FDT page KHO itself
--   preserves at boot. A consumer's subtrees are the outgoing subtrees whose
--   blob lies in memory it preserved; a subtree whose blob is not preserved
--   at all is listed under "(not preserved)" with no bytes: its handover is
--   unsafe.
-- Point: each generation as its last operation left it (for a generation
--   that kexec'd: what it handed over).
-- Parameters: :generation  only this generation (NULL, the default: every one).
-- Columns: generation, consumer, subtrees (comma-separated names, NULL when
--   none), ops (the generation's operations on the consumer's names),
--   blocks, bytes.
WITH point AS (
    SELECT g.generation, g.page_size, (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
),
named AS (
    SELECT seq, generation,
           CASE WHEN subject IS NULL AND kind = 'boot' THEN '(kho)'
                WHEN instr(subject, '/') > 0 THEN substr(subject, 1, instr(subject, '/') - 1)
                ELSE subject END AS consumer
    FROM op
    WHERE :generation IS NULL OR generation = :generation
),
-- Every preserved block (preserved_run_block reads runs and packed rows).
held AS (
    SELECT p.generation, n.consumer, b.phys AS lo, b.phys + b.size AS hi
    FROM point p
    JOIN preserved_run_block b ON b.generation = p.generation AND b.from_seq <= p.seq AND (b.to_seq IS NULL OR b.to_seq > p.seq)
    JOIN named n ON n.seq = b.from_seq
),
outgoing AS (
    SELECT s.generation, s.name, s.phys,
           coalesce((SELECT h.consumer FROM held h WHERE h.generation = s.generation AND s.phys >= h.lo AND s.phys < h.hi),
                    '(not preserved)') AS consumer
    FROM point p
    JOIN subtree s ON s.generation = p.generation AND s.direction = 'out'
        AND s.from_seq <= p.seq AND (s.to_seq IS NULL OR s.to_seq > p.seq)
),
consumer AS (
    SELECT generation, consumer FROM held UNION SELECT generation, consumer FROM outgoing
)
SELECT c.generation, c.consumer,
       (SELECT group_concat(name, ', ') FROM (SELECT name FROM outgoing t
            WHERE t.generation = c.generation AND t.consumer = c.consumer ORDER BY name)) AS subtrees,
       (SELECT count(*) FROM named n WHERE n.generation = c.generation AND n.consumer = c.consumer) AS ops,
       (SELECT count(*) FROM held h WHERE h.generation = c.generation AND h.consumer = c.consumer) AS blocks,
       (SELECT coalesce(sum(hi - lo), 0) FROM held h WHERE h.generation = c.generation AND h.consumer = c.consumer) AS bytes
FROM consumer c
ORDER BY c.generation, bytes DESC, c.consumer;
