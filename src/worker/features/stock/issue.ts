import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { stockMovements } from "../../db/schema";
import { parseQuantityE4 } from "../../domain/stock";
import { randomId } from "../../lib/crypto/random";

type DocumentType = "quote" | "invoice" | "deposit_invoice" | "credit_note";

/** What of a document line moves stock: its product, its quantity as stored ("1.5"), its kind. */
export interface StockLine {
  id: string;
  productId: string | null;
  quantity: string;
  kind: "goods" | "service";
}

/**
 * The statements to add to the batch that issues a document: an invoice takes its goods lines out
 * of stock ("sale", −quantity), a credit note puts them back ("return", +quantity), dated on the
 * issue date. Quotes and deposit invoices move nothing (no goods leave on a deposit). Each insert is
 * guarded by the product's own row (tracked goods of this account) and by the document being issued
 * in that same batch; the unique index on (account_id, document_line_id) makes a batch that runs
 * again (retry, reconciler) count each line once.
 */
export function stockStatementsForIssue(db: Db, accountId: string, doc: { id: string; type: DocumentType; issueDate: string; issuedAt: number }, lines: readonly StockLine[]) {
  if (doc.type !== "invoice" && doc.type !== "credit_note") return [];
  const sign = doc.type === "invoice" ? -1 : 1;
  const reason = doc.type === "invoice" ? "sale" : "return";
  const statements = [];
  for (const line of lines) {
    if (!line.productId || line.kind !== "goods") continue;
    const parsed = parseQuantityE4(line.quantity);
    // Stored quantities were checked when the draft was saved; one that is not a quantity moves nothing.
    if (!parsed.ok || parsed.e4 === 0) continue;
    statements.push(
      db
        .insert(stockMovements)
        .select(
          sql`SELECT ${randomId()}, ${accountId}, p.id, ${doc.issueDate}, ${sign * parsed.e4}, ${reason}, NULL, ${doc.id}, ${line.id}, ${doc.issuedAt}
              FROM products p
              WHERE p.id = ${line.productId} AND p.account_id = ${accountId} AND p.kind = 'goods' AND p.stock_tracked = 1
                AND EXISTS (SELECT 1 FROM documents d WHERE d.id = ${doc.id} AND d.account_id = ${accountId} AND d.status != 'draft')`,
        )
        .onConflictDoNothing(),
    );
  }
  return statements;
}
