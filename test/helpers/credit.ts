import { env } from "cloudflare:workers";

/** The single value `v` of a query over the test database. */
export async function one<T>(query: string, ...binds: unknown[]): Promise<T> {
  const row = await env.DB.prepare(query)
    .bind(...binds)
    .first<{ v: T }>();
  return row?.v as T;
}

/** A client's credit as client_credits holds it. */
export const creditOf = (clientId: string) => one<number>("SELECT COALESCE(SUM(amount_cents), 0) AS v FROM client_credits WHERE client_id = ?", clientId);

/**
 * The client-credit rule, recomputed from raw payments and documents, independently of
 * client_credits: every invoice's excess over what it still asks once credited,
 * max(0, paid − max(0, due − credited)), less the credit spent (payments `avoir_client`).
 */
export const ruleCredit = (clientId: string) =>
  one<number>(
    `SELECT COALESCE(SUM(MAX(0,
        COALESCE((SELECT SUM(p.amount_cents) FROM payments p WHERE p.document_id = d.id), 0)
        - MAX(0, d.due_cents - COALESCE((SELECT SUM(c.due_cents) FROM documents c WHERE c.preceding_document_id = d.id AND c.type = 'credit_note' AND c.status != 'draft'), 0)))), 0)
      - (SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE client_id = ?1 AND method = 'avoir_client') AS v
     FROM documents d WHERE d.client_id = ?1 AND d.type IN ('invoice', 'deposit_invoice') AND d.status != 'draft'`,
    clientId,
  );
