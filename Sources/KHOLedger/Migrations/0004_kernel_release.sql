-- kholedger ledger schema, migration 0004: kernel releases and the kexec chain.
--
-- A generation records the kernel release its machine followed (simulated
-- generations; NULL when unknown: imports, traces, ledgers made before
-- releases were modelled) and the kexec-metadata its kernel found at boot
-- (7.1+): the release that kexec'd into it and the number of kexec boots
-- since the last cold boot. Both are NULL after a cold boot or when the
-- previous kernel handed over no (usable) kexec-metadata.

ALTER TABLE generation ADD COLUMN kernel TEXT;
ALTER TABLE generation ADD COLUMN previous_release TEXT;
ALTER TABLE generation ADD COLUMN kexec_count INTEGER;

DROP VIEW v_generations;
CREATE VIEW v_generations AS
SELECT g.generation, g.parent, g.lineage, g.boot_number, g.abi, g.page_size,
       printf('0x%x', g.memory_base) AS memory_base, g.memory_size,
       g.boot_seq, g.kexec_seq,
       printf('0x%x', g.tracker_root) AS tracker_root, printf('0x%x', g.fdt_phys) AS fdt_phys,
       length(g.root_fdt) AS fdt_size, g.source, g.label,
       (SELECT count(*) FROM op WHERE op.generation = g.generation) AS ops,
       g.kernel, g.previous_release, g.kexec_count
FROM generation g;
