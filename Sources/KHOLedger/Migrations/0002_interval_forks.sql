-- kholedger ledger schema, migration 0002: interval forks.
--
-- "Which rows of an interval table hold at seq S" must not read the whole
-- history before S. Every interval table gets `fork`, the node of a virtual
-- balanced binary tree over seqs 1 .. 2^41 - 1 (root 2^40) at which the
-- search paths of the seqs in [from_seq, to_seq) part: the value in
-- [from_seq, to_seq - 1] with the most trailing zero bits; 2^40 for an open
-- row. A row holding at S has its fork on the search path from the root to S,
-- and holds iff from_seq <= S (fork at or above S) or to_seq > S (fork below
-- S): at most 41 index range scans that return only rows that hold (the
-- relational interval tree of Kriegel, Pötke and Seidl, VLDB 2000).
--
-- `fork` is a virtual generated column computed with core SQL only (the
-- largest k whose multiple of 2^k at or below to_seq - 1 is still at least
-- from_seq), so closing a row with UPDATE ... SET to_seq keeps it right, from
-- any client. Only its indexes store it.

ALTER TABLE preserved_run ADD COLUMN fork INTEGER GENERATED ALWAYS AS (
CASE WHEN to_seq IS NULL THEN 1099511627776
     WHEN (to_seq - 1) >> 40 << 40 >= from_seq THEN (to_seq - 1) >> 40 << 40
     WHEN (to_seq - 1) >> 39 << 39 >= from_seq THEN (to_seq - 1) >> 39 << 39
     WHEN (to_seq - 1) >> 38 << 38 >= from_seq THEN (to_seq - 1) >> 38 << 38
     WHEN (to_seq - 1) >> 37 << 37 >= from_seq THEN (to_seq - 1) >> 37 << 37
     WHEN (to_seq - 1) >> 36 << 36 >= from_seq THEN (to_seq - 1) >> 36 << 36
     WHEN (to_seq - 1) >> 35 << 35 >= from_seq THEN (to_seq - 1) >> 35 << 35
     WHEN (to_seq - 1) >> 34 << 34 >= from_seq THEN (to_seq - 1) >> 34 << 34
     WHEN (to_seq - 1) >> 33 << 33 >= from_seq THEN (to_seq - 1) >> 33 << 33
     WHEN (to_seq - 1) >> 32 << 32 >= from_seq THEN (to_seq - 1) >> 32 << 32
     WHEN (to_seq - 1) >> 31 << 31 >= from_seq THEN (to_seq - 1) >> 31 << 31
     WHEN (to_seq - 1) >> 30 << 30 >= from_seq THEN (to_seq - 1) >> 30 << 30
     WHEN (to_seq - 1) >> 29 << 29 >= from_seq THEN (to_seq - 1) >> 29 << 29
     WHEN (to_seq - 1) >> 28 << 28 >= from_seq THEN (to_seq - 1) >> 28 << 28
     WHEN (to_seq - 1) >> 27 << 27 >= from_seq THEN (to_seq - 1) >> 27 << 27
     WHEN (to_seq - 1) >> 26 << 26 >= from_seq THEN (to_seq - 1) >> 26 << 26
     WHEN (to_seq - 1) >> 25 << 25 >= from_seq THEN (to_seq - 1) >> 25 << 25
     WHEN (to_seq - 1) >> 24 << 24 >= from_seq THEN (to_seq - 1) >> 24 << 24
     WHEN (to_seq - 1) >> 23 << 23 >= from_seq THEN (to_seq - 1) >> 23 << 23
     WHEN (to_seq - 1) >> 22 << 22 >= from_seq THEN (to_seq - 1) >> 22 << 22
     WHEN (to_seq - 1) >> 21 << 21 >= from_seq THEN (to_seq - 1) >> 21 << 21
     WHEN (to_seq - 1) >> 20 << 20 >= from_seq THEN (to_seq - 1) >> 20 << 20
     WHEN (to_seq - 1) >> 19 << 19 >= from_seq THEN (to_seq - 1) >> 19 << 19
     WHEN (to_seq - 1) >> 18 << 18 >= from_seq THEN (to_seq - 1) >> 18 << 18
     WHEN (to_seq - 1) >> 17 << 17 >= from_seq THEN (to_seq - 1) >> 17 << 17
     WHEN (to_seq - 1) >> 16 << 16 >= from_seq THEN (to_seq - 1) >> 16 << 16
     WHEN (to_seq - 1) >> 15 << 15 >= from_seq THEN (to_seq - 1) >> 15 << 15
     WHEN (to_seq - 1) >> 14 << 14 >= from_seq THEN (to_seq - 1) >> 14 << 14
     WHEN (to_seq - 1) >> 13 << 13 >= from_seq THEN (to_seq - 1) >> 13 << 13
     WHEN (to_seq - 1) >> 12 << 12 >= from_seq THEN (to_seq - 1) >> 12 << 12
     WHEN (to_seq - 1) >> 11 << 11 >= from_seq THEN (to_seq - 1) >> 11 << 11
     WHEN (to_seq - 1) >> 10 << 10 >= from_seq THEN (to_seq - 1) >> 10 << 10
     WHEN (to_seq - 1) >> 9 << 9 >= from_seq THEN (to_seq - 1) >> 9 << 9
     WHEN (to_seq - 1) >> 8 << 8 >= from_seq THEN (to_seq - 1) >> 8 << 8
     WHEN (to_seq - 1) >> 7 << 7 >= from_seq THEN (to_seq - 1) >> 7 << 7
     WHEN (to_seq - 1) >> 6 << 6 >= from_seq THEN (to_seq - 1) >> 6 << 6
     WHEN (to_seq - 1) >> 5 << 5 >= from_seq THEN (to_seq - 1) >> 5 << 5
     WHEN (to_seq - 1) >> 4 << 4 >= from_seq THEN (to_seq - 1) >> 4 << 4
     WHEN (to_seq - 1) >> 3 << 3 >= from_seq THEN (to_seq - 1) >> 3 << 3
     WHEN (to_seq - 1) >> 2 << 2 >= from_seq THEN (to_seq - 1) >> 2 << 2
     WHEN (to_seq - 1) >> 1 << 1 >= from_seq THEN (to_seq - 1) >> 1 << 1
     ELSE (to_seq - 1) END
) VIRTUAL;

ALTER TABLE object ADD COLUMN fork INTEGER GENERATED ALWAYS AS (
CASE WHEN to_seq IS NULL THEN 1099511627776
     WHEN (to_seq - 1) >> 40 << 40 >= from_seq THEN (to_seq - 1) >> 40 << 40
     WHEN (to_seq - 1) >> 39 << 39 >= from_seq THEN (to_seq - 1) >> 39 << 39
     WHEN (to_seq - 1) >> 38 << 38 >= from_seq THEN (to_seq - 1) >> 38 << 38
     WHEN (to_seq - 1) >> 37 << 37 >= from_seq THEN (to_seq - 1) >> 37 << 37
     WHEN (to_seq - 1) >> 36 << 36 >= from_seq THEN (to_seq - 1) >> 36 << 36
     WHEN (to_seq - 1) >> 35 << 35 >= from_seq THEN (to_seq - 1) >> 35 << 35
     WHEN (to_seq - 1) >> 34 << 34 >= from_seq THEN (to_seq - 1) >> 34 << 34
     WHEN (to_seq - 1) >> 33 << 33 >= from_seq THEN (to_seq - 1) >> 33 << 33
     WHEN (to_seq - 1) >> 32 << 32 >= from_seq THEN (to_seq - 1) >> 32 << 32
     WHEN (to_seq - 1) >> 31 << 31 >= from_seq THEN (to_seq - 1) >> 31 << 31
     WHEN (to_seq - 1) >> 30 << 30 >= from_seq THEN (to_seq - 1) >> 30 << 30
     WHEN (to_seq - 1) >> 29 << 29 >= from_seq THEN (to_seq - 1) >> 29 << 29
     WHEN (to_seq - 1) >> 28 << 28 >= from_seq THEN (to_seq - 1) >> 28 << 28
     WHEN (to_seq - 1) >> 27 << 27 >= from_seq THEN (to_seq - 1) >> 27 << 27
     WHEN (to_seq - 1) >> 26 << 26 >= from_seq THEN (to_seq - 1) >> 26 << 26
     WHEN (to_seq - 1) >> 25 << 25 >= from_seq THEN (to_seq - 1) >> 25 << 25
     WHEN (to_seq - 1) >> 24 << 24 >= from_seq THEN (to_seq - 1) >> 24 << 24
     WHEN (to_seq - 1) >> 23 << 23 >= from_seq THEN (to_seq - 1) >> 23 << 23
     WHEN (to_seq - 1) >> 22 << 22 >= from_seq THEN (to_seq - 1) >> 22 << 22
     WHEN (to_seq - 1) >> 21 << 21 >= from_seq THEN (to_seq - 1) >> 21 << 21
     WHEN (to_seq - 1) >> 20 << 20 >= from_seq THEN (to_seq - 1) >> 20 << 20
     WHEN (to_seq - 1) >> 19 << 19 >= from_seq THEN (to_seq - 1) >> 19 << 19
     WHEN (to_seq - 1) >> 18 << 18 >= from_seq THEN (to_seq - 1) >> 18 << 18
     WHEN (to_seq - 1) >> 17 << 17 >= from_seq THEN (to_seq - 1) >> 17 << 17
     WHEN (to_seq - 1) >> 16 << 16 >= from_seq THEN (to_seq - 1) >> 16 << 16
     WHEN (to_seq - 1) >> 15 << 15 >= from_seq THEN (to_seq - 1) >> 15 << 15
     WHEN (to_seq - 1) >> 14 << 14 >= from_seq THEN (to_seq - 1) >> 14 << 14
     WHEN (to_seq - 1) >> 13 << 13 >= from_seq THEN (to_seq - 1) >> 13 << 13
     WHEN (to_seq - 1) >> 12 << 12 >= from_seq THEN (to_seq - 1) >> 12 << 12
     WHEN (to_seq - 1) >> 11 << 11 >= from_seq THEN (to_seq - 1) >> 11 << 11
     WHEN (to_seq - 1) >> 10 << 10 >= from_seq THEN (to_seq - 1) >> 10 << 10
     WHEN (to_seq - 1) >> 9 << 9 >= from_seq THEN (to_seq - 1) >> 9 << 9
     WHEN (to_seq - 1) >> 8 << 8 >= from_seq THEN (to_seq - 1) >> 8 << 8
     WHEN (to_seq - 1) >> 7 << 7 >= from_seq THEN (to_seq - 1) >> 7 << 7
     WHEN (to_seq - 1) >> 6 << 6 >= from_seq THEN (to_seq - 1) >> 6 << 6
     WHEN (to_seq - 1) >> 5 << 5 >= from_seq THEN (to_seq - 1) >> 5 << 5
     WHEN (to_seq - 1) >> 4 << 4 >= from_seq THEN (to_seq - 1) >> 4 << 4
     WHEN (to_seq - 1) >> 3 << 3 >= from_seq THEN (to_seq - 1) >> 3 << 3
     WHEN (to_seq - 1) >> 2 << 2 >= from_seq THEN (to_seq - 1) >> 2 << 2
     WHEN (to_seq - 1) >> 1 << 1 >= from_seq THEN (to_seq - 1) >> 1 << 1
     ELSE (to_seq - 1) END
) VIRTUAL;

ALTER TABLE subtree ADD COLUMN fork INTEGER GENERATED ALWAYS AS (
CASE WHEN to_seq IS NULL THEN 1099511627776
     WHEN (to_seq - 1) >> 40 << 40 >= from_seq THEN (to_seq - 1) >> 40 << 40
     WHEN (to_seq - 1) >> 39 << 39 >= from_seq THEN (to_seq - 1) >> 39 << 39
     WHEN (to_seq - 1) >> 38 << 38 >= from_seq THEN (to_seq - 1) >> 38 << 38
     WHEN (to_seq - 1) >> 37 << 37 >= from_seq THEN (to_seq - 1) >> 37 << 37
     WHEN (to_seq - 1) >> 36 << 36 >= from_seq THEN (to_seq - 1) >> 36 << 36
     WHEN (to_seq - 1) >> 35 << 35 >= from_seq THEN (to_seq - 1) >> 35 << 35
     WHEN (to_seq - 1) >> 34 << 34 >= from_seq THEN (to_seq - 1) >> 34 << 34
     WHEN (to_seq - 1) >> 33 << 33 >= from_seq THEN (to_seq - 1) >> 33 << 33
     WHEN (to_seq - 1) >> 32 << 32 >= from_seq THEN (to_seq - 1) >> 32 << 32
     WHEN (to_seq - 1) >> 31 << 31 >= from_seq THEN (to_seq - 1) >> 31 << 31
     WHEN (to_seq - 1) >> 30 << 30 >= from_seq THEN (to_seq - 1) >> 30 << 30
     WHEN (to_seq - 1) >> 29 << 29 >= from_seq THEN (to_seq - 1) >> 29 << 29
     WHEN (to_seq - 1) >> 28 << 28 >= from_seq THEN (to_seq - 1) >> 28 << 28
     WHEN (to_seq - 1) >> 27 << 27 >= from_seq THEN (to_seq - 1) >> 27 << 27
     WHEN (to_seq - 1) >> 26 << 26 >= from_seq THEN (to_seq - 1) >> 26 << 26
     WHEN (to_seq - 1) >> 25 << 25 >= from_seq THEN (to_seq - 1) >> 25 << 25
     WHEN (to_seq - 1) >> 24 << 24 >= from_seq THEN (to_seq - 1) >> 24 << 24
     WHEN (to_seq - 1) >> 23 << 23 >= from_seq THEN (to_seq - 1) >> 23 << 23
     WHEN (to_seq - 1) >> 22 << 22 >= from_seq THEN (to_seq - 1) >> 22 << 22
     WHEN (to_seq - 1) >> 21 << 21 >= from_seq THEN (to_seq - 1) >> 21 << 21
     WHEN (to_seq - 1) >> 20 << 20 >= from_seq THEN (to_seq - 1) >> 20 << 20
     WHEN (to_seq - 1) >> 19 << 19 >= from_seq THEN (to_seq - 1) >> 19 << 19
     WHEN (to_seq - 1) >> 18 << 18 >= from_seq THEN (to_seq - 1) >> 18 << 18
     WHEN (to_seq - 1) >> 17 << 17 >= from_seq THEN (to_seq - 1) >> 17 << 17
     WHEN (to_seq - 1) >> 16 << 16 >= from_seq THEN (to_seq - 1) >> 16 << 16
     WHEN (to_seq - 1) >> 15 << 15 >= from_seq THEN (to_seq - 1) >> 15 << 15
     WHEN (to_seq - 1) >> 14 << 14 >= from_seq THEN (to_seq - 1) >> 14 << 14
     WHEN (to_seq - 1) >> 13 << 13 >= from_seq THEN (to_seq - 1) >> 13 << 13
     WHEN (to_seq - 1) >> 12 << 12 >= from_seq THEN (to_seq - 1) >> 12 << 12
     WHEN (to_seq - 1) >> 11 << 11 >= from_seq THEN (to_seq - 1) >> 11 << 11
     WHEN (to_seq - 1) >> 10 << 10 >= from_seq THEN (to_seq - 1) >> 10 << 10
     WHEN (to_seq - 1) >> 9 << 9 >= from_seq THEN (to_seq - 1) >> 9 << 9
     WHEN (to_seq - 1) >> 8 << 8 >= from_seq THEN (to_seq - 1) >> 8 << 8
     WHEN (to_seq - 1) >> 7 << 7 >= from_seq THEN (to_seq - 1) >> 7 << 7
     WHEN (to_seq - 1) >> 6 << 6 >= from_seq THEN (to_seq - 1) >> 6 << 6
     WHEN (to_seq - 1) >> 5 << 5 >= from_seq THEN (to_seq - 1) >> 5 << 5
     WHEN (to_seq - 1) >> 4 << 4 >= from_seq THEN (to_seq - 1) >> 4 << 4
     WHEN (to_seq - 1) >> 3 << 3 >= from_seq THEN (to_seq - 1) >> 3 << 3
     WHEN (to_seq - 1) >> 2 << 2 >= from_seq THEN (to_seq - 1) >> 2 << 2
     WHEN (to_seq - 1) >> 1 << 1 >= from_seq THEN (to_seq - 1) >> 1 << 1
     ELSE (to_seq - 1) END
) VIRTUAL;

-- The preserved_run indexes cover the block columns, so the preserved set as
-- of a seq is read from the indexes alone; `id` comes before them so that the
-- many runs one operation opens are appended, not inserted at random.
CREATE INDEX preserved_run_fork_from ON preserved_run(generation, fork, from_seq, id, phys, ord, count);
CREATE INDEX preserved_run_fork_to ON preserved_run(generation, fork, to_seq, id, phys, ord, count);
CREATE INDEX object_fork_from ON object(generation, fork, from_seq);
CREATE INDEX object_fork_to ON object(generation, fork, to_seq);
CREATE INDEX subtree_fork_from ON subtree(generation, fork, from_seq);
CREATE INDEX subtree_fork_to ON subtree(generation, fork, to_seq);
