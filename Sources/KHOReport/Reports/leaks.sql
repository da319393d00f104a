-- leaks: blocks a generation handed over that the next generation never claimed.
--
-- Answers: which preserved memory did the next kernel leave unclaimed? A
--   block is claimed when a restore in the next generation (restore_folio,
--   restore_pages, restore_vmalloc for data and chunk pages, restore_free)
--   consumed its KHO magic at the same order. The next kernel cannot reuse
--   an unclaimed block: it stays reserved. KHO's own pages are not listed:
--   the next kernel reads them in place at boot (as `kholedger audit` counts
--   leaks): the root FDT page and the `kexec-metadata` blob (7.1+), which
--   the kernel leaves reserved by design.
-- Point: each generation's kexec (generations that never kexec'd hand
--   nothing over and are not listed); claims: any operation of the next
--   generation.
-- Parameters: :generation  only blocks handed over by this generation (NULL,
--   the default: every one).
-- Columns: generation (that handed over), next_generation, phys, order,
--   bytes, preserved_seq (the operation that preserved the block; see
--   `kholedger show SEQ`), preserved_by (that operation's kind), subject (its
--   area, folio or blob name).
WITH RECURSIVE handover AS (
    SELECT g.generation, g.page_size, g.kexec_seq AS seq, n.generation AS next_generation
    FROM generation g JOIN generation n ON n.parent = g.generation
    WHERE g.kexec_seq IS NOT NULL AND (:generation IS NULL OR g.generation = :generation)
),
-- Every block handed over, expanded from its run.
handed(generation, next_generation, phys, ord, bytes, from_seq, i, count) AS (
    SELECT h.generation, h.next_generation, r.phys, r.ord, h.page_size << r.ord, r.from_seq, 0, r.count
    FROM handover h
    JOIN preserved_run r ON r.generation = h.generation AND r.from_seq <= h.seq AND (r.to_seq IS NULL OR r.to_seq > h.seq)
    UNION ALL
    SELECT generation, next_generation, phys + bytes, ord, bytes, from_seq, i + 1, count FROM handed WHERE i + 1 < count
),
-- Every block a restore of the next generation consumed, expanded from its run.
claimed(generation, phys, ord, bytes, i, count) AS (
    SELECT o.generation, c.phys, c.ord, g.page_size << c.ord, 0, c.count
    FROM handover h
    JOIN op o ON o.generation = h.next_generation
    JOIN op_change c ON c.seq = o.seq AND c.action = 'restore'
    JOIN generation g ON g.generation = o.generation
    UNION ALL
    SELECT generation, phys + bytes, ord, bytes, i + 1, count FROM claimed WHERE i + 1 < count
)
SELECT b.generation, b.next_generation, printf('0x%x', b.phys) AS phys, b.ord AS "order", b.bytes,
       b.from_seq AS preserved_seq, o.kind AS preserved_by, o.subject
FROM handed b JOIN op o ON o.seq = b.from_seq JOIN generation g ON g.generation = b.generation
WHERE b.phys IS NOT g.fdt_phys
  AND b.phys NOT IN (SELECT s.phys FROM subtree s WHERE s.generation = b.generation AND s.direction = 'out'
                     AND s.name = 'kexec-metadata' AND s.from_seq <= g.kexec_seq AND (s.to_seq IS NULL OR s.to_seq >= g.kexec_seq))
  AND NOT EXISTS (SELECT 1 FROM claimed c WHERE c.generation = b.next_generation AND c.phys = b.phys AND c.ord = b.ord)
ORDER BY b.generation, b.phys;
