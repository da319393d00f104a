-- findings: hosts whose audit found something, and what.
--
-- Answers: which hosts leak preserved memory or have other audit findings?
-- Point: each host's audit at its last push (audited_seq).
-- Parameters: none.
-- Columns: host, findings, errors, warnings, leaks, codes (each code with
--   its count), first_seq and first_message (the earliest finding),
--   audited_seq.
SELECT host, count(*) AS findings, count(*) FILTER (WHERE severity = 'error') AS errors,
       count(*) FILTER (WHERE severity = 'warning') AS warnings, count(*) FILTER (WHERE code = 'leak') AS leaks,
       (SELECT string_agg(c.code || '×' || c.n, ', ' ORDER BY c.code)
        FROM (SELECT code, count(*) AS n FROM v_fleet_findings g WHERE g.host = f.host GROUP BY code) c) AS codes,
       min(seq) AS first_seq, (array_agg(message ORDER BY seq, idx))[1] AS first_message, max(audited_seq) AS audited_seq
FROM v_fleet_findings f
GROUP BY host
ORDER BY host;
