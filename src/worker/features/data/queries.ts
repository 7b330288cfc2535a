import { and, desc, eq, sql } from "drizzle-orm";
import { directoryDb } from "../../db/client";
import { aad, sealerFor } from "../../lib/sealer";
import { accounts, connectionLog, consentProofs, policyAcknowledgements, users } from "../../db/schema";
import type { AccountVerbCtx } from "../documents/drafts";
import { type DataJobRow, listDataJobs } from "./verbs";
import { exportedTables } from "./tables";

/** Connection log rows shown on the page (the export holds all 12 months). */
const RECENT_CONNECTIONS = 20;

export interface DataOverview {
  user: {
    name: string;
    email: string;
    locale: string;
    emailVerifiedAt: number | null;
    totpEnabled: boolean;
    marketingOptInAt: number | null;
    marketingWordingVersion: string | null;
    analyticsOptOutAt: number | null;
    createdAt: number;
  };
  account: typeof accounts.$inferSelect;
  /** Last 4 characters of the IBAN, opened for display only (the row holds it sealed). */
  ibanLast4: string | null;
  /** Rows held per account table (the same tables the export writes). */
  counts: Array<{ table: string; rows: number }>;
  connections: Array<typeof connectionLog.$inferSelect>;
  acknowledgements: Array<{ version: string; at: number }>;
  /** Cookie choices made from this browser (their proofs carry no user id, only the cookie's id). */
  consents: Array<typeof consentProofs.$inferSelect>;
  jobs: DataJobRow[];
}

/**
 * Everything the "Mes données" page shows (privacy policy §9.1): the person, the business, how
 * much is held per table, recent sign-ins, consents and policy acknowledgements, and the exports.
 */
export async function dataOverview(ctx: AccountVerbCtx & { userId: string }, consentId: string | null): Promise<DataOverview> {
  const dir = directoryDb(ctx.env);
  const user = await dir.select().from(users).where(eq(users.id, ctx.userId)).get();
  const account = await ctx.db.select().from(accounts).where(eq(accounts.id, ctx.accountId)).get();
  if (!user || !account) throw new Error("signed-in user or account missing");
  const counts: DataOverview["counts"] = [];
  for (const table of exportedTables()) {
    const row = await ctx.db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.identifier(table.name)} WHERE account_id = ${ctx.accountId}`);
    counts.push({ table: table.name, rows: row?.n ?? 0 });
  }
  const connections = await dir
    .select()
    .from(connectionLog)
    .where(eq(connectionLog.userId, ctx.userId))
    .orderBy(desc(connectionLog.at))
    .limit(RECENT_CONNECTIONS)
    .all();
  const acknowledgements = await dir
    .select({ version: policyAcknowledgements.version, at: policyAcknowledgements.at })
    .from(policyAcknowledgements)
    .where(eq(policyAcknowledgements.userId, ctx.userId))
    .orderBy(desc(policyAcknowledgements.at))
    .all();
  const consents = consentId
    ? await dir.select().from(consentProofs).where(and(eq(consentProofs.consentId, consentId))).orderBy(desc(consentProofs.at)).limit(20).all()
    : [];
  return {
    user: {
      name: user.name,
      email: user.email,
      locale: user.locale,
      emailVerifiedAt: user.emailVerifiedAt,
      totpEnabled: user.totpEnabledAt !== null,
      marketingOptInAt: user.marketingOptInAt,
      marketingWordingVersion: user.marketingWordingVersion,
      analyticsOptOutAt: user.analyticsOptOutAt,
      createdAt: user.createdAt,
    },
    account,
    ibanLast4: account.ibanSealed ? (await (await sealerFor(ctx.config)).open(account.ibanSealed, aad.iban(account.id))).slice(-4) : null,
    counts,
    connections,
    acknowledgements,
    consents,
    jobs: await listDataJobs(ctx, 5),
  };
}
