-- over-limit: hosts whose newest generation is above a limit.
--
-- Answers: where do preserved bytes, LUO sessions or memfd files stand out?
-- Point: each host's newest generation at its last op, as of the host's last push.
-- Parameters: :preserved_bytes, :sessions, :files  the limits (NULL, the
--   default: that one is not checked); a host is listed when it is above
--   any limit given.
-- Columns: host, generation, kernel, preserved_bytes, sessions, files, over
--   (the limits it is above).
WITH newest AS (
    SELECT DISTINCT ON (host) * FROM v_fleet_preserved ORDER BY host, generation DESC
),
checked AS (
    SELECT n.*, concat_ws(', ',
               CASE WHEN n.preserved_bytes > :preserved_bytes THEN 'preserved_bytes' END,
               CASE WHEN n.sessions > :sessions THEN 'sessions' END,
               CASE WHEN n.files > :files THEN 'files' END) AS over
    FROM newest n
)
SELECT host, generation, kernel, preserved_bytes, sessions, files, over
FROM checked
WHERE over <> ''
ORDER BY preserved_bytes DESC, host;
