-- kholedger ledger schema, migration 0006: the leak rule, defined once.
--
-- v_handed_over: every block a generation handed over at its kexec, one row
-- per block (expanded from the run-length preserved_run), with the first
-- operation of the next generation that claimed it: a restore
-- (restore_folio, restore_pages, restore_vmalloc for data and chunk pages,
-- restore_free) that consumed the KHO magic of the block's head page, at any
-- order (7.1+ check the magic only; a restore at another order is the audit's
-- restore-order-mismatch, not a leak). claimed_seq is NULL when no operation
-- of the next generation claimed it. kho_own names KHO's own pages, which the
-- next kernel reads in place at boot and keeps reserved by design: the root
-- FDT page ('root-fdt') and the kexec-metadata blob ('kexec-metadata', 7.1+).
--
-- A leak is a row with claimed_seq NULL and kho_own NULL: `kholedger audit`
-- (as of a point: claimed_seq after it counts as unclaimed) and
-- Reports/leaks.sql both read this view, and `audit --chain` checks that its
-- definition is this one.

CREATE VIEW v_handed_over AS
WITH RECURSIVE
handover AS (
    SELECT g.generation, g.page_size, g.kexec_seq, g.fdt_phys, n.generation AS next_generation
    FROM generation g JOIN generation n ON n.parent = g.generation
    WHERE g.kexec_seq IS NOT NULL
),
handed(generation, next_generation, kexec_seq, fdt_phys, page_size, phys, ord, size, from_seq, i, count) AS (
    SELECT h.generation, h.next_generation, h.kexec_seq, h.fdt_phys, h.page_size, r.phys, r.ord, h.page_size << r.ord,
           r.from_seq, 0, r.count
    FROM handover h
    JOIN preserved_run r ON r.generation = h.generation AND r.from_seq <= h.kexec_seq
                        AND (r.to_seq IS NULL OR r.to_seq > h.kexec_seq)
    UNION ALL
    SELECT generation, next_generation, kexec_seq, fdt_phys, page_size, phys + size, ord, size, from_seq, i + 1, count
    FROM handed WHERE i + 1 < count
),
claimed(generation, phys, size, seq, i, count) AS (
    SELECT o.generation, c.phys, g.page_size << c.ord, c.seq, 0, c.count
    FROM op_change c JOIN op o ON o.seq = c.seq JOIN generation g ON g.generation = o.generation
    WHERE c.action = 'restore'
    UNION ALL
    SELECT generation, phys + size, size, seq, i + 1, count FROM claimed WHERE i + 1 < count
)
SELECT b.generation, b.next_generation, printf('0x%x', b.phys) AS phys, b.phys / b.page_size AS pfn,
       b.ord AS "order", b.size AS bytes, b.from_seq AS preserved_seq, min(c.seq) AS claimed_seq,
       CASE
           WHEN b.phys IS b.fdt_phys THEN 'root-fdt'
           WHEN EXISTS (SELECT 1 FROM subtree s
                        WHERE s.generation = b.generation AND s.direction = 'out' AND s.name = 'kexec-metadata'
                          AND s.phys = b.phys AND s.from_seq <= b.kexec_seq
                          AND (s.to_seq IS NULL OR s.to_seq >= b.kexec_seq)) THEN 'kexec-metadata'
       END AS kho_own
FROM handed b
LEFT JOIN claimed c ON c.generation = b.next_generation AND c.phys = b.phys
GROUP BY b.generation, b.phys, b.ord;
