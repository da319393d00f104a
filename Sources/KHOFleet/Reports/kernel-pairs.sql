-- kernel-pairs: the kernel pairs seen in handovers, from each boot's kexec-metadata.
--
-- Answers: which release kexec'd into which, on how many hosts, how often?
-- Point: every generation pushed.
-- Parameters: none.
-- Columns: from_release (the previous kernel, as the boot's kexec-metadata
--   names it), to_release (the kernel that booted), handovers, hosts,
--   first_host (the first host by name), max_kexec_count (the longest kexec
--   chain seen).
SELECT previous_release AS from_release, kernel AS to_release, count(*) AS handovers, count(DISTINCT host) AS hosts,
       min(host) AS first_host, max(kexec_count) AS max_kexec_count
FROM v_fleet_generations
WHERE previous_release IS NOT NULL
GROUP BY previous_release, kernel
ORDER BY previous_release, kernel;
