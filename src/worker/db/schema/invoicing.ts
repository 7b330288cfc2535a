import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamp } from "./columns";

// Account data: every table carries account_id and every query filters on it (tenancy rule).

/** A customer: a company (B2B) or an individual (B2C). */
export const clients = sqliteTable(
  "clients",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    kind: text("kind", { enum: ["company", "individual"] }).notNull(),
    name: text("name").notNull(),
    /** Lower-cased, accent-free name for search. */
    searchName: text("search_name").notNull(),
    siren: text("siren"),
    siret: text("siret"),
    vatNumber: text("vat_number"),
    addressLine1: text("address_line1").notNull(),
    addressLine2: text("address_line2"),
    postalCode: text("postal_code").notNull(),
    city: text("city").notNull(),
    country: text("country").notNull().default("FR"),
    deliveryLine1: text("delivery_line1"),
    deliveryLine2: text("delivery_line2"),
    deliveryPostalCode: text("delivery_postal_code"),
    deliveryCity: text("delivery_city"),
    deliveryCountry: text("delivery_country"),
    email: text("email"),
    /** E-invoicing address (BT-49); defaults from the SIREN (scheme 0225). */
    electronicScheme: text("electronic_scheme"),
    electronicAddress: text("electronic_address"),
    language: text("language", { enum: ["fr", "en"] }).notNull().default("fr"),
    paymentTermsDays: integer("payment_terms_days"),
    /** Short code, unique per account, never changed: the FEC auxiliary account is 411 + code (features/clients/code.ts). */
    code: text("code"),
    archivedAt: timestamp("archived_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [index("clients_account_name").on(t.accountId, t.searchName, t.id), uniqueIndex("clients_account_code").on(t.accountId, t.code)],
);

/** Catalogue of products and services. */
export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    searchName: text("search_name").notNull(),
    description: text("description"),
    /** UN/ECE Recommendation 20 code. */
    unitCode: text("unit_code").notNull().default("C62"),
    unitPriceCents: integer("unit_price_cents").notNull(),
    /** Ten-thousandths of a euro when the price has 3 or 4 decimals, else null (domain/totals.ts unitPriceE4Of). */
    unitPriceE4: integer("unit_price_e4"),
    vatCategory: text("vat_category", { enum: ["S", "Z", "E", "AE", "K", "G", "O"] }).notNull(),
    vatRateBp: integer("vat_rate_bp").notNull(),
    exemptionCode: text("exemption_code"),
    kind: text("kind", { enum: ["goods", "service"] }).notNull(),
    stockTracked: integer("stock_tracked", { mode: "boolean" }).notNull().default(false),
    archivedAt: timestamp("archived_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [index("products_account_name").on(t.accountId, t.searchName, t.id)],
);

/**
 * The word index of client names: one row per word of the name after the first, holding the
 * name's search key from that word on, a line feed, then the whole key ("kerlann sarl\nboulangerie
 * kerlann sarl"). A prefix range on `term` finds a client by any word (the first word is the
 * client's own `search_name`), ordered by the matched words then the name. Written in the same
 * batch as the client by features/clients/terms.ts; deleted with the client (cascade).
 */
export const clientSearchTerms = sqliteTable(
  "client_search_terms",
  {
    accountId: text("account_id").notNull(),
    clientId: text("client_id")
      .notNull()
      .references(() => clients.id, { onDelete: "cascade" }),
    term: text("term").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.term, t.clientId] }), index("client_search_terms_client").on(t.accountId, t.clientId, t.term)],
);

/** The word index of catalogue names, as {@link clientSearchTerms}. */
export const productSearchTerms = sqliteTable(
  "product_search_terms",
  {
    accountId: text("account_id").notNull(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    term: text("term").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.term, t.productId] }), index("product_search_terms_product").on(t.accountId, t.productId, t.term)],
);

export const DOCUMENT_TYPES = ["quote", "invoice", "deposit_invoice", "credit_note"] as const;

/** Numbering prefix per document type and account; the counters live in the numbering object. */
export const documentSeries = sqliteTable(
  "document_series",
  {
    accountId: text("account_id").notNull(),
    type: text("type", { enum: DOCUMENT_TYPES }).notNull(),
    prefix: text("prefix").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.type] })],
);

/**
 * Quotes, invoices, deposit invoices and credit notes. A draft is editable and has no number; once
 * issued, `snapshot` holds the frozen content and the row never changes except for derived status
 * fields (quote acceptance, public link revocation).
 */
export const documents = sqliteTable(
  "documents",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    type: text("type", { enum: DOCUMENT_TYPES }).notNull(),
    status: text("status", { enum: ["draft", "issued", "sent", "accepted", "refused", "expired", "cancelled"] }).notNull(),
    number: text("number"),
    /** Numbering series in the numbering object, e.g. "invoice:2026". */
    seriesId: text("series_id"),
    clientId: text("client_id"),
    issueDate: text("issue_date"),
    deliveryDate: text("delivery_date"),
    dueDate: text("due_date"),
    /** Quotes: last day the offer holds. */
    validUntil: text("valid_until"),
    paymentTermsDays: integer("payment_terms_days"),
    purchaseOrderReference: text("purchase_order_reference"),
    note: text("note"),
    allowanceKind: text("allowance_kind", { enum: ["percent", "amount"] }),
    allowanceValue: integer("allowance_value"),
    /** Credit note → the invoice it corrects; deposit/final invoice → the quote it comes from. */
    precedingDocumentId: text("preceding_document_id"),
    sourceQuoteId: text("source_quote_id"),
    /** Deposit invoices: the share of their quote they ask, in basis points (Σ per quote ≤ 10 000). */
    depositBp: integer("deposit_bp"),
    /** Totals kept on the row for lists (cents); authoritative values are in the snapshot. */
    taxExclusiveCents: integer("tax_exclusive_cents").notNull().default(0),
    vatTotalCents: integer("vat_total_cents").notNull().default(0),
    taxInclusiveCents: integer("tax_inclusive_cents").notNull().default(0),
    dueCents: integer("due_cents").notNull().default(0),
    snapshot: text("snapshot", { mode: "json" }),
    pdfKey: text("pdf_key"),
    pdfSha256: text("pdf_sha256"),
    xmlKey: text("xml_key"),
    xmlSha256: text("xml_sha256"),
    /** SHA-256 of the public link token; null when revoked or never shared. */
    publicTokenHash: text("public_token_hash"),
    /**
     * The same token sealed with DATA_KEY (lib/sealer), so the seller sees their client link again on
     * the document's page; lookups still go through the hash alone.
     */
    publicTokenSealed: text("public_token_sealed"),
    acceptedAt: timestamp("accepted_at"),
    acceptedByName: text("accepted_by_name"),
    acceptedIp: text("accepted_ip"),
    acceptedPdfSha256: text("accepted_pdf_sha256"),
    /**
     * A quote's first email or shared link: until then it reads "Émis", after it "Envoyé". Its stored
     * status stays "sent" from issue on (open for the client's answer), so lists and tallies keep one state.
     */
    sentAt: timestamp("sent_at"),
    /** When the client accepted or refused a quote on its public page: the seller's dashboard notice. */
    answeredAt: timestamp("answered_at"),
    /** When the seller dismissed that notice. */
    answerSeenAt: timestamp("answer_seen_at"),
    /**
     * Set before a number is allocated: from then on the draft can no longer be deleted, and the
     * reconciler finishes the issue if the final D1 write never lands (no gap in the numbering).
     */
    issueRequestedAt: timestamp("issue_requested_at"),
    issuedAt: timestamp("issued_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
    // ——— list state (features/documents/queries.ts), kept by triggers (migrations: document_lists) ———
    /** Invoices: Σ payments and corrections recorded on it (trigger on payments). */
    paidCents: integer("paid_cents").notNull().default(0),
    /** Invoices: Σ due of the issued credit notes referencing it (trigger on credit-note issue). */
    creditedCents: integer("credited_cents").notNull().default(0),
    /**
     * What the lists filter on, without today: an issued invoice is "open" (nothing received),
     * "partial" or "paid" (domain/invoice-status.ts); any other document keeps its stored status.
     */
    listState: text("list_state").generatedAlwaysAs(
      sql`CASE WHEN status = 'issued' AND type IN ('invoice', 'deposit_invoice') THEN CASE WHEN paid_cents >= MAX(0, due_cents - credited_cents) THEN 'paid' WHEN paid_cents > 0 THEN 'partial' ELSE 'open' END ELSE status END`,
      { mode: "virtual" },
    ),
    /** The date that splits a state by today: an open invoice's due date, a sent quote's validity ('9999-12-31' when none). */
    dateKey: text("date_key").generatedAlwaysAs(
      sql`CASE WHEN list_state IN ('open', 'partial') THEN COALESCE(due_date, '9999-12-31') WHEN list_state = 'sent' AND type = 'quote' THEN COALESCE(valid_until, '9999-12-31') END`,
      { mode: "virtual" },
    ),
  },
  (t) => [
    // Each list arm (one type, one state) reads its page in order; the second serves "not yet due" by date.
    index("documents_list_state").on(t.accountId, t.type, t.listState, t.createdAt, t.id),
    index("documents_list_due").on(t.accountId, t.type, t.listState, t.dateKey, t.createdAt, t.id),
    index("documents_issue_pending").on(t.issueRequestedAt).where(sql`status = 'draft' AND issue_requested_at IS NOT NULL`),
    // The database itself refuses a duplicate number, not only the application.
    uniqueIndex("documents_account_type_number").on(t.accountId, t.type, t.number).where(sql`number IS NOT NULL`),
    index("documents_account_type_created").on(t.accountId, t.type, t.createdAt, t.id),
    index("documents_account_status").on(t.accountId, t.type, t.status),
    // A client's page lists its documents per type, newest first (features/documents clientDocuments);
    // the prefix (account, client) serves "does a document name this client" as the old index did.
    index("documents_account_client_type_created").on(t.accountId, t.clientId, t.type, t.createdAt, t.id),
    index("documents_account_source_quote").on(t.accountId, t.sourceQuoteId),
    // Credit notes of an invoice (detail page, balances): found by index, not by scanning the account.
    index("documents_account_preceding").on(t.accountId, t.precedingDocumentId),
    uniqueIndex("documents_public_token").on(t.publicTokenHash).where(sql`public_token_hash IS NOT NULL`),
    // The dashboard's notices of quotes a client answered: only the unseen ones are indexed.
    index("documents_answers_unseen").on(t.accountId, t.answeredAt).where(sql`answered_at IS NOT NULL AND answer_seen_at IS NULL`),
  ],
);

export const documentLines = sqliteTable(
  "document_lines",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    documentId: text("document_id").notNull(),
    position: integer("position").notNull(),
    productId: text("product_id"),
    description: text("description").notNull(),
    quantity: text("quantity").notNull(),
    unitCode: text("unit_code").notNull(),
    unitPriceCents: integer("unit_price_cents").notNull(),
    /** Ten-thousandths of a euro when the price has 3 or 4 decimals, else null (domain/totals.ts unitPriceE4Of). */
    unitPriceE4: integer("unit_price_e4"),
    discountKind: text("discount_kind", { enum: ["percent", "amount"] }),
    discountValue: integer("discount_value"),
    vatCategory: text("vat_category", { enum: ["S", "Z", "E", "AE", "K", "G", "O"] }).notNull(),
    vatRateBp: integer("vat_rate_bp").notNull(),
    exemptionCode: text("exemption_code"),
    kind: text("kind", { enum: ["goods", "service"] }).notNull(),
  },
  (t) => [index("document_lines_document").on(t.documentId, t.position), index("document_lines_account_product").on(t.accountId, t.productId)],
);

/** Deposit invoices deducted on a final invoice. */
export const depositDeductions = sqliteTable(
  "deposit_deductions",
  {
    accountId: text("account_id").notNull(),
    finalDocumentId: text("final_document_id").notNull(),
    depositDocumentId: text("deposit_document_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.finalDocumentId, t.depositDocumentId] }), uniqueIndex("deposit_deducted_once").on(t.depositDocumentId)],
);

/**
 * Hash-chained log of issued documents: each entry holds the previous entry's hash, so removing or
 * altering any entry breaks every later one (verify endpoint).
 */
export const issueLog = sqliteTable(
  "issue_log",
  {
    accountId: text("account_id").notNull(),
    seq: integer("seq").notNull(),
    documentId: text("document_id").notNull(),
    action: text("action", { enum: ["issue"] }).notNull(),
    at: timestamp("at").notNull(),
    /** SHA-256 over the document number, type, dates, totals, PDF and XML hashes. */
    contentHash: text("content_hash").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.seq] }), uniqueIndex("issue_log_document").on(t.documentId, t.action)],
);
