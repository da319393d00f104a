-- hosts: per host, its chain head, its newest generation's kernel and preserved bytes, and its findings.
--
-- Answers: what does the store hold of each host, and how does each stand now?
-- Point: each host as of its last push; preserved bytes are those of its
--   newest generation at that generation's last op.
-- Parameters: none.
-- Columns: host, content, ops, head_seq, generations, kexecs, kernel (of the
--   newest generation), preserved_bytes, sessions, files (of the newest
--   generation), findings, leaks (as of audited_seq), audited_seq, last_push.
WITH newest AS (
    SELECT DISTINCT ON (host) * FROM v_fleet_preserved ORDER BY host, generation DESC
)
SELECT h.host, h.content, h.ops, h.head_seq, h.generations,
       (SELECT count(*) FROM v_fleet_generations g WHERE g.host = h.host AND g.kexec_seq IS NOT NULL) AS kexecs,
       n.kernel, coalesce(n.preserved_bytes, 0) AS preserved_bytes, coalesce(n.sessions, 0) AS sessions, coalesce(n.files, 0) AS files,
       h.findings, (SELECT count(*) FROM v_fleet_leaks l WHERE l.host = h.host) AS leaks, h.audited_seq,
       to_char(h.last_push AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_push
FROM v_fleet_hosts h LEFT JOIN newest n ON n.host = h.host
ORDER BY h.host;
