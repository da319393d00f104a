-- summary: per generation, its operations, what it preserved by kind, its areas and subtrees.
--
-- Answers: how big was each generation's handover, and what was in it?
-- Point: each generation as its last operation left it. For a generation
--   that kexec'd, that is its kexec: what it handed over.
-- Parameters: :generation  only this generation (NULL, the default: every one).
-- Columns: generation, parent, abi, page_size, memory_base, memory_bytes,
--   ops, point_seq (the seq of the point), handed_over (1 when it kexec'd),
--   preserved_blocks and preserved_bytes (every block in the tracker), then
--   preserved bytes by the call that preserved them: vmalloc_bytes
--   (kho_preserve_vmalloc: data and chunk pages), folio_bytes, pages_bytes,
--   blob_bytes (kho_alloc_preserve), fdt_bytes (the root FDT page KHO
--   preserves at boot), other_bytes; areas (preserved vmalloc areas),
--   subtrees (outgoing subtrees of the root FDT).
WITH point AS (
    SELECT g.*, (SELECT max(seq) FROM op WHERE op.generation = g.generation) AS seq
    FROM generation g
    WHERE :generation IS NULL OR g.generation = :generation
),
held AS (
    SELECT r.generation, r.count AS blocks, r.count * (p.page_size << r.ord) AS bytes, o.kind AS call
    FROM point p
    JOIN preserved_run r ON r.generation = p.generation AND r.from_seq <= p.seq AND (r.to_seq IS NULL OR r.to_seq > p.seq)
    JOIN op o ON o.seq = r.from_seq
)
SELECT p.generation, p.parent, p.abi, p.page_size, printf('0x%x', p.memory_base) AS memory_base,
       p.memory_size AS memory_bytes,
       (SELECT count(*) FROM op WHERE op.generation = p.generation) AS ops,
       p.seq AS point_seq, p.kexec_seq IS NOT NULL AS handed_over,
       coalesce(sum(h.blocks), 0) AS preserved_blocks,
       coalesce(sum(h.bytes), 0) AS preserved_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call = 'preserve_vmalloc'), 0) AS vmalloc_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call IN ('preserve_folio', 'preserve_folios')), 0) AS folio_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call = 'preserve_pages'), 0) AS pages_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call = 'alloc_preserve'), 0) AS blob_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call = 'boot'), 0) AS fdt_bytes,
       coalesce(sum(h.bytes) FILTER (WHERE h.call NOT IN ('preserve_vmalloc', 'preserve_folio', 'preserve_folios', 'preserve_pages',
                                                            'alloc_preserve', 'boot')), 0) AS other_bytes,
       (SELECT count(*) FROM object a WHERE a.generation = p.generation AND a.kind = 'vmalloc'
           AND a.from_seq <= p.seq AND (a.to_seq IS NULL OR a.to_seq > p.seq)) AS areas,
       (SELECT count(*) FROM subtree s WHERE s.generation = p.generation AND s.direction = 'out'
           AND s.from_seq <= p.seq AND (s.to_seq IS NULL OR s.to_seq > p.seq)) AS subtrees
FROM point p LEFT JOIN held h ON h.generation = p.generation
GROUP BY p.generation
ORDER BY p.generation;
