-- kholedger fleet store, migration 0001.
--
-- Many hosts' ledgers in one PostgreSQL database. Each host is pushed from
-- its own SQLite ledger (`kholedger push`); the store keeps, per host, every
-- operation with the rows its hash covers, exactly as the ledger stores
-- them, so that `kholedger fleet verify` recomputes each host's hash chain
-- here. Rows are keyed by host first, and every table is partitioned by
-- host (8 hash partitions). A row is written once, by the push of the op it
-- belongs to, and never updated: intervals end by rows of the ending op
-- (`*_end`), which the views read.
--
-- Addresses are bigint (the ledger's signed 64-bit INTEGER); views show
-- them as '0x…' text, as the ledger's views do.

CREATE TABLE host (
    host_id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    content        text NOT NULL CHECK (content IN ('none', 'hashes', 'full')),  -- what --content puts here
    head_seq       bigint NOT NULL DEFAULT 0,      -- the chain head: the last op stored
    head_hash      bytea,
    legacy_allowed boolean NOT NULL DEFAULT true,  -- whether the next op may carry a v1 hash (see ChainLink)
    ops            bigint NOT NULL DEFAULT 0,
    first_push     timestamptz NOT NULL DEFAULT now(),
    last_push      timestamptz,
    audited_seq    bigint                          -- the seq the host's findings are as of (NULL: never audited)
);

-- The operation log: a row of the ledger's `op`.
CREATE TABLE op (
    host_id    integer NOT NULL,
    seq        bigint NOT NULL,
    generation bigint NOT NULL,
    time       text NOT NULL,
    kind       text NOT NULL,
    subject    text,
    args       text NOT NULL,
    result     text NOT NULL,
    errno      bigint,
    detail     text,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL,
    contents   integer NOT NULL,                   -- page contents the op set (stored here unless --content none)
    PRIMARY KEY (host_id, seq)
) PARTITION BY HASH (host_id);
CREATE INDEX op_by_kind ON op (kind, host_id);

CREATE TABLE op_change (
    host_id integer NOT NULL, seq bigint NOT NULL, part bigint NOT NULL,
    action text NOT NULL, phys bigint NOT NULL, ord bigint NOT NULL, count bigint NOT NULL, blocks text,
    PRIMARY KEY (host_id, seq, part)
) PARTITION BY HASH (host_id);

-- Objects an op started, `idx` its position among them.
CREATE TABLE object (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL,
    kind text NOT NULL, name text NOT NULL, descriptor_phys bigint, first_chunk bigint, total_pages bigint, flags bigint, ord bigint,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);
CREATE INDEX object_by_kind ON object (host_id, kind, seq);

CREATE TABLE object_extent (
    host_id integer NOT NULL, seq bigint NOT NULL, object_idx integer NOT NULL, first_index bigint NOT NULL,
    phys bigint NOT NULL, ord bigint NOT NULL, count bigint NOT NULL, blocks text,
    PRIMARY KEY (host_id, seq, object_idx, first_index)
) PARTITION BY HASH (host_id);

CREATE TABLE chunk (
    host_id integer NOT NULL, seq bigint NOT NULL, object_idx integer NOT NULL, idx bigint NOT NULL,
    phys bigint NOT NULL, next bigint NOT NULL, entries bigint NOT NULL, bytes bytea NOT NULL,
    PRIMARY KEY (host_id, seq, object_idx, idx)
) PARTITION BY HASH (host_id);

-- Page contents an op set: the page at `phys` holds the data with SHA-256 `hash`.
CREATE TABLE page_content (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL, phys bigint NOT NULL, hash bytea NOT NULL,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);

-- Page bytes by hash, each distinct page once per host (--content full only).
CREATE TABLE page_data (
    host_id integer NOT NULL, hash bytea NOT NULL, bytes bytea NOT NULL,
    PRIMARY KEY (host_id, hash)
) PARTITION BY HASH (host_id);

CREATE TABLE subtree (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL,
    direction text NOT NULL, name text NOT NULL, phys bigint NOT NULL, size bigint, blob bytea,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);

CREATE TABLE boot_memory (
    host_id integer NOT NULL, seq bigint NOT NULL, idx bigint NOT NULL, name text NOT NULL, phys bigint NOT NULL, size bigint NOT NULL,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);

-- The generation row a boot op started (its kexec's columns are in handover).
CREATE TABLE generation (
    host_id integer NOT NULL, generation bigint NOT NULL, parent bigint, lineage bigint NOT NULL, boot_number bigint NOT NULL,
    abi text NOT NULL, page_size bigint NOT NULL, memory_base bigint NOT NULL, memory_size bigint NOT NULL, boot_seq bigint NOT NULL,
    tracker_root bigint, fdt_phys bigint, source text NOT NULL, label text, machine text,
    kernel text, previous_release text, kexec_count bigint,
    PRIMARY KEY (host_id, generation)
) PARTITION BY HASH (host_id);

-- What a kexec op recorded in its generation's row.
CREATE TABLE handover (
    host_id integer NOT NULL, seq bigint NOT NULL, kexec_seq bigint NOT NULL, root_fdt bytea,
    PRIMARY KEY (host_id, seq)
) PARTITION BY HASH (host_id);

-- Intervals an op ended: the ledger's to_seq, as rows of the ending op.
CREATE TABLE content_end (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL, lineage bigint NOT NULL, phys bigint NOT NULL,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);
CREATE TABLE object_end (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL, from_seq bigint NOT NULL, kind text NOT NULL, name text NOT NULL,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);
CREATE INDEX object_end_by_object ON object_end (host_id, from_seq);
CREATE TABLE subtree_end (
    host_id integer NOT NULL, seq bigint NOT NULL, idx integer NOT NULL, from_seq bigint NOT NULL, direction text NOT NULL, name text NOT NULL,
    PRIMARY KEY (host_id, seq, idx)
) PARTITION BY HASH (host_id);

-- Derived on the host at each push, by the ledger's own rules, and replaced
-- whole: per generation, the `summary` report's row as of the push, and
-- the audit's findings (`kholedger audit`) as of host.audited_seq.
CREATE TABLE generation_summary (
    host_id integer NOT NULL, generation bigint NOT NULL, point_seq bigint, handed_over boolean NOT NULL,
    preserved_blocks bigint NOT NULL, preserved_bytes bigint NOT NULL, vmalloc_bytes bigint NOT NULL, folio_bytes bigint NOT NULL,
    pages_bytes bigint NOT NULL, blob_bytes bigint NOT NULL, areas bigint NOT NULL, subtrees bigint NOT NULL,
    PRIMARY KEY (host_id, generation)
) PARTITION BY HASH (host_id);
CREATE TABLE audit_finding (
    host_id integer NOT NULL, idx integer NOT NULL, code text NOT NULL, severity text NOT NULL,
    seq bigint, generation bigint, subject text, message text NOT NULL,
    PRIMARY KEY (host_id, idx)
) PARTITION BY HASH (host_id);

DO $$
DECLARE t text; r integer;
BEGIN
    FOREACH t IN ARRAY ARRAY['op', 'op_change', 'object', 'object_extent', 'chunk', 'page_content', 'page_data', 'subtree',
                             'boot_memory', 'generation', 'handover', 'content_end', 'object_end', 'subtree_end',
                             'generation_summary', 'audit_finding'] LOOP
        FOR r IN 0..7 LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS 8, REMAINDER %s)', t || '_p' || r, t, r);
        END LOOP;
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- Fleet views: the ledger's public views with a host column.
-- ---------------------------------------------------------------------------

CREATE VIEW v_fleet_hosts AS
SELECT h.name AS host, h.content, h.head_seq, encode(h.head_hash, 'hex') AS head_hash, h.ops,
       (SELECT count(*) FROM generation g WHERE g.host_id = h.host_id) AS generations,
       h.first_push, h.last_push, h.audited_seq,
       (SELECT count(*) FROM audit_finding f WHERE f.host_id = h.host_id) AS findings
FROM host h;

CREATE VIEW v_fleet_generations AS
SELECT h.name AS host, g.generation, g.parent, g.lineage, g.boot_number, g.abi, g.kernel, g.previous_release, g.kexec_count,
       g.page_size, '0x' || to_hex(g.memory_base) AS memory_base, g.memory_size, g.boot_seq, k.kexec_seq,
       length(k.root_fdt) AS fdt_size, g.source, g.label,
       (SELECT count(*) FROM op o WHERE o.host_id = g.host_id AND o.generation = g.generation) AS ops
FROM generation g JOIN host h ON h.host_id = g.host_id
LEFT JOIN op ko ON ko.host_id = g.host_id AND ko.generation = g.generation AND ko.kind = 'kexec'
LEFT JOIN handover k ON k.host_id = ko.host_id AND k.seq = ko.seq;

CREATE VIEW v_fleet_ops AS
SELECT h.name AS host, o.seq, o.generation, o.time, o.kind, o.subject, o.result, o.errno, o.args, o.detail,
       encode(o.hash, 'hex') AS hash
FROM op o JOIN host h ON h.host_id = o.host_id;

-- Objects with their interval: to_seq is the ending op's seq, or for a
-- kexec the seq after it (the handover ends them), as in the ledger.
CREATE VIEW v_fleet_objects AS
SELECT h.name AS host, o.host_id, s.generation, o.seq AS from_seq,
       (SELECT min(CASE WHEN eo.kind = 'kexec' THEN e.seq + 1 ELSE e.seq END)
        FROM object_end e JOIN op eo ON eo.host_id = e.host_id AND eo.seq = e.seq
        WHERE e.host_id = o.host_id AND e.from_seq = o.seq AND e.kind = o.kind AND e.name = o.name) AS to_seq,
       o.kind, o.name, o.descriptor_phys, o.first_chunk, o.total_pages, o.flags, o.ord, o.idx
FROM object o JOIN op s ON s.host_id = o.host_id AND s.seq = o.seq JOIN host h ON h.host_id = o.host_id;

CREATE VIEW v_fleet_areas AS
SELECT host, generation, name, kind, '0x' || to_hex(descriptor_phys) AS descriptor_phys, '0x' || to_hex(first_chunk) AS first_chunk,
       total_pages, flags, ord AS "order", from_seq, to_seq
FROM v_fleet_objects
WHERE kind IN ('vmalloc', 'restored_vmalloc');

-- Per generation of each host, as of the host's last push: what the
-- generation preserved at its last op (for one that kexec'd: what it handed
-- over), from the host's `summary` report; with the LUO sessions (a
-- session's file block is the blob 'luo/files') and the memfd files (a
-- file's folios are one 'folios' object) open at that op.
CREATE VIEW v_fleet_preserved AS
SELECT h.name AS host, s.generation, g.kernel, g.abi, s.point_seq, s.handed_over, s.preserved_blocks, s.preserved_bytes,
       s.vmalloc_bytes, s.folio_bytes, s.pages_bytes, s.blob_bytes, s.areas, s.subtrees,
       count(*) FILTER (WHERE o.kind = 'blob' AND o.name = 'luo/files') AS sessions,
       count(*) FILTER (WHERE o.kind = 'folios') AS files
FROM generation_summary s JOIN host h ON h.host_id = s.host_id
LEFT JOIN generation g ON g.host_id = s.host_id AND g.generation = s.generation
LEFT JOIN v_fleet_objects o ON o.host_id = s.host_id AND o.generation = s.generation AND o.kind IN ('blob', 'folios')
                           AND o.from_seq <= s.point_seq AND (o.to_seq IS NULL OR o.to_seq > s.point_seq)
GROUP BY h.name, s.host_id, s.generation, g.kernel, g.abi, s.point_seq, s.handed_over, s.preserved_blocks, s.preserved_bytes,
         s.vmalloc_bytes, s.folio_bytes, s.pages_bytes, s.blob_bytes, s.areas, s.subtrees;

CREATE VIEW v_fleet_findings AS
SELECT h.name AS host, f.idx, f.code, f.severity, f.seq, f.generation, f.subject, f.message, h.audited_seq
FROM audit_finding f JOIN host h ON h.host_id = f.host_id;

-- Leaks: blocks a generation handed over that the next never restored, as
-- the host's audit found them (the leak rule is the ledger's v_handed_over).
CREATE VIEW v_fleet_leaks AS
SELECT host, seq, generation, subject, message, audited_seq FROM v_fleet_findings WHERE code = 'leak';

-- ---------------------------------------------------------------------------
-- Roles. kholedger_reader may read everything (`kholedger fleet sql` runs
-- as it); kholedger_pusher may also add rows (`kholedger push`). Grant them
-- to login roles: GRANT kholedger_reader TO alice;
-- ---------------------------------------------------------------------------

DO $$
BEGIN
    BEGIN CREATE ROLE kholedger_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
    BEGIN CREATE ROLE kholedger_pusher NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
END $$;
GRANT USAGE ON SCHEMA public TO kholedger_reader, kholedger_pusher;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO kholedger_reader, kholedger_pusher;
GRANT INSERT ON op, op_change, object, object_extent, chunk, page_content, page_data, subtree, boot_memory, generation,
    handover, content_end, object_end, subtree_end TO kholedger_pusher;
GRANT INSERT, DELETE ON generation_summary, audit_finding TO kholedger_pusher;
GRANT INSERT, UPDATE ON host TO kholedger_pusher;
