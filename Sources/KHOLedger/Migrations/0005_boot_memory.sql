-- kholedger ledger schema, migration 0005: the boot memory a handover names.
--
-- A kernel hands the next one, with the root FDT, the ranges it may boot
-- from: "scratch" up to Linux 7.3, "bootmem" from 7.4 (debugfs
-- out/scratch_phys + out/scratch_len, or out/bootmem_phys + out/bootmem_len).
-- One row per range, in the kernel's order, recorded with the kexec op that
-- hands them over and covered by that op's hash: a simulated machine's
-- scratch areas, or the ranges of an imported debugfs capture. Generations
-- whose boot memory is unknown (other imports, traces, ledgers recorded
-- before this migration) have none.

CREATE TABLE boot_memory (
    seq        INTEGER NOT NULL REFERENCES op(seq),     -- the kexec op
    generation INTEGER NOT NULL REFERENCES generation(generation),
    name       TEXT NOT NULL,                           -- 'scratch' | 'bootmem'
    idx        INTEGER NOT NULL,                        -- position in the kernel's list
    phys       INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    PRIMARY KEY (seq, idx)
);
CREATE INDEX boot_memory_by_generation ON boot_memory(generation);

-- The boot memory of every handover whose ranges are known.
CREATE VIEW v_boot_memory AS
SELECT generation, seq, name, idx, printf('0x%x', phys) AS phys, size, printf('0x%x', phys + size) AS end_phys
FROM boot_memory;
