import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

/**
 * Supplier invoices (Achats): received through the PA (`SupplierInvoice` flows) or added by hand
 * (paper or foreign invoices). The file is kept in R2 exactly as received (`file_key`, `file_sha256`);
 * the columns are what was read from it (domain/einvoice/received.ts) or typed by the user.
 * One invoice per (supplier, number, year): `dedup_key`, unique per account.
 */
export const purchases = sqliteTable(
  "purchases",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    source: text("source", { enum: ["network", "manual"] }).notNull(),
    /** The PA flow that carried it (network only); unique per account so a flow is stored once. */
    flowId: text("flow_id"),
    supplierName: text("supplier_name").notNull(),
    supplierSiren: text("supplier_siren"),
    supplierVatNumber: text("supplier_vat_number"),
    supplierCountry: text("supplier_country"),
    number: text("number").notNull(),
    /** BT-3: 380 invoice, 381 credit note… */
    typeCode: text("type_code").notNull().default("380"),
    issueDate: text("issue_date").notNull(),
    dueDate: text("due_date"),
    currency: text("currency").notNull().default("EUR"),
    taxExclusiveCents: integer("tax_exclusive_cents").notNull(),
    vatCents: integer("vat_cents").notNull(),
    taxInclusiveCents: integer("tax_inclusive_cents").notNull(),
    /** JSON [{category, rateBasisPoints, baseCents, vatCents}]: VAT per rate as the invoice states it. */
    vatBreakdown: text("vat_breakdown").notNull().default("[]"),
    /** JSON of the lines read from the XML (name, quantity, unit, net, rate); [] for a manual entry. */
    lines: text("lines").notNull().default("[]"),
    iban: text("iban"),
    /** Purchase category for the registre: goods, services or overheads (frais). */
    category: text("category", { enum: ["goods", "services", "overheads"] }).notNull().default("services"),
    /** `${supplier key}|${number}|${year}`: the duplicate rule. */
    dedupKey: text("dedup_key").notNull(),
    fileKey: text("file_key"),
    fileSha256: text("file_sha256"),
    fileName: text("file_name"),
    fileType: text("file_type"),
    /** Latest lifecycle status (203 when received through the PA; null for a manual entry). */
    statusCode: integer("status_code"),
    statusAt: timestamp("status_at"),
    /** Payment made to the supplier (recorded by the user): date, amount and method. */
    paidOn: text("paid_on"),
    paidCents: integer("paid_cents"),
    paymentMethod: text("payment_method"),
    receivedAt: timestamp("received_at").notNull(),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("purchases_dedup").on(t.accountId, t.dedupKey),
    uniqueIndex("purchases_flow").on(t.accountId, t.flowId).where(sql`flow_id IS NOT NULL`),
    index("purchases_account_received").on(t.accountId, t.receivedAt, t.id),
    index("purchases_account_issue").on(t.accountId, t.issueDate, t.id),
  ],
);

/**
 * A purchase's lifecycle (append-only): statuses Factumo sent as buyer (204, 205, 207, 210, 211)
 * and those the supplier or a platform sent (e.g. 212), keyed by flow so a status delivered twice
 * (webhook and poll) counts once.
 */
export const purchaseEvents = sqliteTable(
  "purchase_events",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    purchaseId: text("purchase_id").notNull(),
    code: integer("code").notNull(),
    direction: text("direction", { enum: ["out", "in"] }).notNull(),
    reasonCode: text("reason_code"),
    reason: text("reason"),
    amountCents: integer("amount_cents"),
    at: timestamp("at").notNull(),
    flowId: text("flow_id"),
    /** R2 key of the CDAR message sent (out) or received (in). */
    fileKey: text("file_key"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("purchase_events_flow").on(t.accountId, t.flowId).where(sql`flow_id IS NOT NULL`),
    index("purchase_events_purchase").on(t.accountId, t.purchaseId, t.at),
  ],
);

/**
 * Per account: where the purchase poll stands (`updatedAfter` of SupplierInvoice and
 * SupplierInvoiceLC flows, strictly increasing) and the PA webhook subscriptions for them.
 */
export const purchaseSync = sqliteTable("purchase_sync", {
  accountId: text("account_id").primaryKey(),
  cursor: text("cursor"),
  lastPollAt: timestamp("last_poll_at"),
  webhookIds: text("webhook_ids"),
  updatedAt: timestamp("updated_at").notNull(),
});
