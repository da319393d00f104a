-- kholedger ledger schema, migration 0007: looking one page up by address.
--
-- "Everything the ledger knows about the page at P" (`kholedger who`) must
-- not read every row of the tables that describe memory as runs of blocks:
-- `op_change`, `preserved_run` and `object_extent` rows each cover `count`
-- blocks of `ord` from `phys`, i.e. [phys, phys + count * (page_size << ord)).
-- An index on `phys` alone finds the rows starting at or below P, but the
-- rows that cover P may start anywhere below it, as far down as the longest
-- run reaches.
--
-- Each of these tables gets `span_bits`, a size class: a run spans fewer
-- than 2^span_bits pages (count < 8^(octal digits of count), so
-- ord + 3 × that many digits bounds it, within a factor 8). An index on
-- (span_bits, phys) then answers "rows covering P" with one range scan per
-- size class present: a class-b row covering P starts above
-- P - (largest page size << b). The classes present are found with one
-- index seek each (a loose index scan), so a lookup costs a few seeks per
-- class plus the rows near P, whatever the ledger's length
-- (`CoveringRuns` in KHOLedger writes the query).
--
-- `chunk` gets an index on its page address. `page_content` needs none: its
-- primary key (lineage, phys, from_seq) already leads with the address.

ALTER TABLE op_change ADD COLUMN span_bits INTEGER GENERATED ALWAYS AS (ord + 3 * length(printf('%o', count))) VIRTUAL;
ALTER TABLE preserved_run ADD COLUMN span_bits INTEGER GENERATED ALWAYS AS (ord + 3 * length(printf('%o', count))) VIRTUAL;
ALTER TABLE object_extent ADD COLUMN span_bits INTEGER GENERATED ALWAYS AS (ord + 3 * length(printf('%o', count))) VIRTUAL;

CREATE INDEX op_change_by_page ON op_change(span_bits, phys);
CREATE INDEX preserved_run_by_page ON preserved_run(span_bits, phys);
CREATE INDEX object_extent_by_page ON object_extent(span_bits, phys);
CREATE INDEX chunk_by_page ON chunk(phys);
