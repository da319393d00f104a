-- leaks: blocks a generation handed over that the next generation never claimed.
--
-- Answers: which preserved memory did the next kernel leave unclaimed? The
--   rule is the view v_handed_over (migration 0006), which `kholedger audit`
--   reads too: a block is claimed when a restore of the next generation
--   (restore_folio, restore_pages, restore_vmalloc for data and chunk pages,
--   restore_free) consumed the KHO magic of its head page, at any order. The
--   next kernel cannot reuse an unclaimed block: it stays reserved. KHO's own
--   pages are not listed: the root FDT page and the `kexec-metadata` blob
--   (7.1+), which the next kernel reads in place and keeps reserved by design.
-- Point: each generation's kexec (generations that never kexec'd hand
--   nothing over and are not listed); claims: any operation of the next
--   generation.
-- Parameters: :generation  only blocks handed over by this generation (NULL,
--   the default: every one).
-- Columns: generation (that handed over), next_generation, phys, order,
--   bytes, preserved_seq (the operation that preserved the block; see
--   `kholedger show SEQ`), preserved_by (that operation's kind), subject (its
--   area, folio or blob name).
SELECT h.generation, h.next_generation, h.phys, h."order", h.bytes, h.preserved_seq,
       o.kind AS preserved_by, o.subject
FROM v_handed_over h JOIN op o ON o.seq = h.preserved_seq
WHERE h.claimed_seq IS NULL AND h.kho_own IS NULL
  AND (:generation IS NULL OR h.generation = :generation)
ORDER BY h.generation, h.pfn;
