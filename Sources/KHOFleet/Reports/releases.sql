-- releases: preserved bytes per kernel release, over every host's generations.
--
-- Answers: how much memory does each kernel release preserve across the fleet?
-- Point: each generation at its last op (for one that kexec'd: what it handed over).
-- Parameters: none.
-- Columns: kernel, hosts, generations, handed_over (generations that
--   kexec'd), preserved_bytes (sum), average_bytes, max_bytes, max_host
--   (a host with the largest).
SELECT coalesce(kernel, '(unknown)') AS kernel, count(DISTINCT host) AS hosts, count(*) AS generations,
       count(*) FILTER (WHERE handed_over) AS handed_over,
       sum(preserved_bytes)::bigint AS preserved_bytes, (sum(preserved_bytes) / count(*))::bigint AS average_bytes,
       max(preserved_bytes) AS max_bytes,
       (array_agg(host ORDER BY preserved_bytes DESC, host))[1] AS max_host
FROM v_fleet_preserved
GROUP BY kernel
ORDER BY kernel;
