-- Document lists (features/documents/queries.ts): what the derived invoice status needs, kept on
-- the row so SQL can filter on it (documents.paid_cents, credited_cents; list_state and date_key are
-- generated from them), and the lists' totals kept in document_tallies (see db/schema/tallies.ts
-- for the dyadic buckets). Triggers cover every write path (payments and corrections, issue,
-- reconciler, cancel, draft edits and deletes, retention purge, imports); existing rows are backfilled
-- first, then the tallies are built from them. paid_cents and credited_cents are not in the
-- immutability trigger's frozen list (0002): issued invoices keep accepting them.
UPDATE documents SET
  paid_cents = COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.account_id = documents.account_id AND p.document_id = documents.id), 0),
  credited_cents = COALESCE((SELECT SUM(c.due_cents) FROM documents c WHERE c.account_id = documents.account_id AND c.preceding_document_id = documents.id
    AND c.type = 'credit_note' AND c.status != 'draft'), 0)
WHERE type IN ('invoice', 'deposit_invoice') AND status != 'draft';
--> statement-breakpoint
CREATE TRIGGER document_lists_payment AFTER INSERT ON payments
BEGIN
  UPDATE documents SET paid_cents = paid_cents + NEW.amount_cents WHERE id = NEW.document_id AND account_id = NEW.account_id;
END;
--> statement-breakpoint
CREATE TRIGGER document_lists_credit_issued AFTER UPDATE OF status ON documents
WHEN NEW.type = 'credit_note' AND OLD.status = 'draft' AND NEW.status != 'draft' AND NEW.preceding_document_id IS NOT NULL
BEGIN
  UPDATE documents SET credited_cents = credited_cents + NEW.due_cents WHERE id = NEW.preceding_document_id AND account_id = NEW.account_id;
END;
--> statement-breakpoint
CREATE TRIGGER document_lists_credit_inserted AFTER INSERT ON documents
WHEN NEW.type = 'credit_note' AND NEW.status != 'draft' AND NEW.preceding_document_id IS NOT NULL
BEGIN
  UPDATE documents SET credited_cents = credited_cents + NEW.due_cents WHERE id = NEW.preceding_document_id AND account_id = NEW.account_id;
END;
--> statement-breakpoint
CREATE TRIGGER document_lists_credit_purged AFTER DELETE ON documents
WHEN OLD.type = 'credit_note' AND OLD.status != 'draft' AND OLD.preceding_document_id IS NOT NULL
BEGIN
  UPDATE documents SET credited_cents = credited_cents - OLD.due_cents WHERE id = OLD.preceding_document_id AND account_id = OLD.account_id;
END;
--> statement-breakpoint
CREATE TRIGGER document_tallies_insert AFTER INSERT ON documents
BEGIN
  INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
  SELECT NEW.account_id, NEW.type, NEW.list_state,
    k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(NEW.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1),
    1,
    (CASE WHEN NEW.type = 'credit_note' THEN -NEW.tax_inclusive_cents ELSE NEW.tax_inclusive_cents END),
    (CASE WHEN NEW.list_state IN ('open', 'partial') THEN MAX(0, NEW.due_cents - NEW.credited_cents) - NEW.paid_cents ELSE 0 END)
  FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS k
  WHERE k.column1 = 16 OR NEW.date_key IS NOT NULL
  ON CONFLICT (account_id, type, state, bucket) DO UPDATE SET documents = documents + excluded.documents,
    tax_inclusive_cents = tax_inclusive_cents + excluded.tax_inclusive_cents,
    outstanding_cents = outstanding_cents + excluded.outstanding_cents;
END;
--> statement-breakpoint
CREATE TRIGGER document_tallies_delete AFTER DELETE ON documents
BEGIN
  INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
  SELECT OLD.account_id, OLD.type, OLD.list_state,
    k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(OLD.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1),
    -1,
    -(CASE WHEN OLD.type = 'credit_note' THEN -OLD.tax_inclusive_cents ELSE OLD.tax_inclusive_cents END),
    -(CASE WHEN OLD.list_state IN ('open', 'partial') THEN MAX(0, OLD.due_cents - OLD.credited_cents) - OLD.paid_cents ELSE 0 END)
  FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS k
  WHERE k.column1 = 16 OR OLD.date_key IS NOT NULL
  ON CONFLICT (account_id, type, state, bucket) DO UPDATE SET documents = documents + excluded.documents,
    tax_inclusive_cents = tax_inclusive_cents + excluded.tax_inclusive_cents,
    outstanding_cents = outstanding_cents + excluded.outstanding_cents;
END;
--> statement-breakpoint
CREATE TRIGGER document_tallies_update AFTER UPDATE ON documents
WHEN OLD.list_state IS NOT NEW.list_state OR OLD.date_key IS NOT NEW.date_key OR OLD.type IS NOT NEW.type
  OR OLD.account_id IS NOT NEW.account_id OR OLD.tax_inclusive_cents IS NOT NEW.tax_inclusive_cents
  OR OLD.due_cents IS NOT NEW.due_cents OR OLD.paid_cents IS NOT NEW.paid_cents OR OLD.credited_cents IS NOT NEW.credited_cents
BEGIN
  INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
  SELECT OLD.account_id, OLD.type, OLD.list_state,
    k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(OLD.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1),
    -1,
    -(CASE WHEN OLD.type = 'credit_note' THEN -OLD.tax_inclusive_cents ELSE OLD.tax_inclusive_cents END),
    -(CASE WHEN OLD.list_state IN ('open', 'partial') THEN MAX(0, OLD.due_cents - OLD.credited_cents) - OLD.paid_cents ELSE 0 END)
  FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS k
  WHERE k.column1 = 16 OR OLD.date_key IS NOT NULL
  ON CONFLICT (account_id, type, state, bucket) DO UPDATE SET documents = documents + excluded.documents,
    tax_inclusive_cents = tax_inclusive_cents + excluded.tax_inclusive_cents,
    outstanding_cents = outstanding_cents + excluded.outstanding_cents;
  INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
  SELECT NEW.account_id, NEW.type, NEW.list_state,
    k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(NEW.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1),
    1,
    (CASE WHEN NEW.type = 'credit_note' THEN -NEW.tax_inclusive_cents ELSE NEW.tax_inclusive_cents END),
    (CASE WHEN NEW.list_state IN ('open', 'partial') THEN MAX(0, NEW.due_cents - NEW.credited_cents) - NEW.paid_cents ELSE 0 END)
  FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS k
  WHERE k.column1 = 16 OR NEW.date_key IS NOT NULL
  ON CONFLICT (account_id, type, state, bucket) DO UPDATE SET documents = documents + excluded.documents,
    tax_inclusive_cents = tax_inclusive_cents + excluded.tax_inclusive_cents,
    outstanding_cents = outstanding_cents + excluded.outstanding_cents;
END;
--> statement-breakpoint
INSERT INTO document_tallies (account_id, type, state, bucket, documents, tax_inclusive_cents, outstanding_cents)
SELECT d.account_id, d.type, d.list_state,
  k.column1 * 65536 + (MAX(0, MIN(65535, COALESCE(CAST(julianday(d.date_key) - 2440587.5 AS INTEGER), 65535))) >> k.column1) AS bucket,
  COUNT(*),
  SUM(CASE WHEN d.type = 'credit_note' THEN -d.tax_inclusive_cents ELSE d.tax_inclusive_cents END),
  SUM(CASE WHEN d.list_state IN ('open', 'partial') THEN MAX(0, d.due_cents - d.credited_cents) - d.paid_cents ELSE 0 END)
FROM documents d, (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16)) AS k
WHERE k.column1 = 16 OR d.date_key IS NOT NULL
GROUP BY d.account_id, d.type, d.list_state, bucket;
