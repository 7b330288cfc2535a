import { formatDate, formatMoney } from "../../domain/format";
import type { MessageKey } from "../../ui/i18n";
import type { PageContext } from "../../ui/page-context";
import type { AccountVerbCtx } from "../documents/drafts";
import { documentPath, StatusBadge, TypeBadge } from "../documents/pages";
import { clientDocuments } from "../documents/queries";
import { PaymentsTable } from "../payments/pages";
import { listPayments } from "../payments/queries";

/** Rows per section of a client's page; older ones a page at a time ("Plus anciens"). */
export const ACTIVITY_PAGE = 10;

/** The sections of a client's page, each with its own cursor parameter in the URL. */
export const ACTIVITY_SECTIONS = ["devis", "factures", "avoirs", "paiements"] as const;
export type ActivitySection = (typeof ACTIVITY_SECTIONS)[number];
export type ActivityCursors = Partial<Record<ActivitySection, string>>;

const DOCUMENT_SECTIONS = {
  devis: { types: ["quote"], title: "clients.activity.quotes", none: "clients.activity.none.quotes" },
  factures: { types: ["invoice", "deposit_invoice"], title: "clients.activity.invoices", none: "clients.activity.none.invoices" },
  avoirs: { types: ["credit_note"], title: "clients.activity.creditNotes", none: "clients.activity.none.creditNotes" },
} as const satisfies Record<Exclude<ActivitySection, "paiements">, { types: readonly string[]; title: MessageKey; none: MessageKey }>;

type DocumentsPage = Awaited<ReturnType<typeof clientDocuments>>;
type PaymentsPage = Awaited<ReturnType<typeof listPayments>>;

export interface ClientActivity {
  documents: Record<keyof typeof DOCUMENT_SECTIONS, DocumentsPage>;
  payments: PaymentsPage;
  cursors: ActivityCursors;
}

/**
 * What a client's page shows of its history: the newest ACTIVITY_PAGE quotes, invoices, credit notes
 * and payments (or the page a section's cursor names), with the lists' own queries and statuses.
 */
export async function clientActivity(ctx: AccountVerbCtx, clientId: string, cursors: ActivityCursors): Promise<ClientActivity> {
  const docs = (section: keyof typeof DOCUMENT_SECTIONS) => clientDocuments(ctx, clientId, DOCUMENT_SECTIONS[section].types, { cursor: cursors[section], limit: ACTIVITY_PAGE });
  const [devis, factures, avoirs, payments] = await Promise.all([
    docs("devis"),
    docs("factures"),
    docs("avoirs"),
    listPayments(ctx, { clientId, cursor: cursors.paiements, limit: ACTIVITY_PAGE }),
  ]);
  return { documents: { devis, factures, avoirs }, payments, cursors };
}

/** The client's page URL with one section moved to `cursor` (null: its first page), the others kept. */
function sectionHref(base: string, cursors: ActivityCursors, section: ActivitySection, cursor: string | null): string {
  const search = new URLSearchParams();
  for (const s of ACTIVITY_SECTIONS) {
    const value = s === section ? cursor : cursors[s];
    if (value) search.set(s, value);
  }
  const query = search.toString();
  return `${query ? `${base}?${query}` : base}#${section}`;
}

function SectionPager({ ctx, base, cursors, section, nextCursor }: { ctx: PageContext; base: string; cursors: ActivityCursors; section: ActivitySection; nextCursor: string | null }) {
  const { t } = ctx;
  if (!cursors[section] && !nextCursor) return null;
  return (
    <nav class="docs-pagination" aria-label={t("documents.pagination")}>
      {cursors[section] ? <a href={sectionHref(base, cursors, section, null)}>{`← ${t("clients.activity.first")}`}</a> : <span />}
      {nextCursor ? (
        <a href={sectionHref(base, cursors, section, nextCursor)} rel="next" class="button">
          {`${t("clients.activity.next")} →`}
        </a>
      ) : null}
    </nav>
  );
}

function DocumentsSection({ ctx, base, activity, section }: { ctx: PageContext; base: string; activity: ClientActivity; section: keyof typeof DOCUMENT_SECTIONS }) {
  const { t, locale } = ctx;
  const { items, nextCursor } = activity.documents[section];
  const { title, none } = DOCUMENT_SECTIONS[section];
  const showType = section === "factures";
  return (
    <section class="panel client-activity" id={section} aria-labelledby={`${section}-h`}>
      <h2 id={`${section}-h`}>{t(title)}</h2>
      {items.length === 0 ? (
        <p class="muted">{t(none)}</p>
      ) : (
        <div class="docs-table-wrap">
          <table class="table docs-table">
            <thead>
              <tr>
                <th scope="col">{t("documents.col.number")}</th>
                {showType ? (
                  <th scope="col" class="col-optional">
                    {t("documents.col.type")}
                  </th>
                ) : null}
                <th scope="col" class="col-optional">
                  {t("documents.col.issueDate")}
                </th>
                <th scope="col" class="num">
                  {t("documents.col.total")}
                </th>
                <th scope="col">{t("documents.col.status")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={documentPath(d.id)} class={d.number ? "doc-number" : "doc-number doc-draft"}>
                      {d.number ?? t("documents.draftNumber")}
                    </a>
                  </td>
                  {showType ? (
                    <td class="col-optional">
                      <TypeBadge ctx={ctx} type={d.type} />
                    </td>
                  ) : null}
                  <td class="col-optional">{d.issueDate ? formatDate(d.issueDate, locale) : "—"}</td>
                  <td class="num">{formatMoney(d.type === "credit_note" ? -d.taxInclusiveCents : d.taxInclusiveCents, locale)}</td>
                  <td>
                    <StatusBadge ctx={ctx} type={d.type} status={d.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SectionPager ctx={ctx} base={base} cursors={activity.cursors} section={section} nextCursor={nextCursor} />
    </section>
  );
}

function PaymentsSection({ ctx, base, activity }: { ctx: PageContext; base: string; activity: ClientActivity }) {
  const { t } = ctx;
  const { items, nextCursor } = activity.payments;
  return (
    <section class="panel client-activity" id="paiements" aria-labelledby="paiements-h">
      <h2 id="paiements-h">{t("clients.activity.payments")}</h2>
      {items.length === 0 ? (
        <p class="muted">{t("clients.activity.none.payments")}</p>
      ) : (
        <PaymentsTable ctx={ctx} items={items} ofClient />
      )}
      <SectionPager ctx={ctx} base={base} cursors={activity.cursors} section="paiements" nextCursor={nextCursor} />
    </section>
  );
}

/** A client's quotes, invoices, credit notes and payments, each newest first and paginated on its own. */
export function ClientActivitySections({ ctx, base, activity }: { ctx: PageContext; base: string; activity: ClientActivity }) {
  return (
    <div class="client-activity-grid">
      <DocumentsSection ctx={ctx} base={base} activity={activity} section="devis" />
      <DocumentsSection ctx={ctx} base={base} activity={activity} section="factures" />
      <DocumentsSection ctx={ctx} base={base} activity={activity} section="avoirs" />
      <PaymentsSection ctx={ctx} base={base} activity={activity} />
    </div>
  );
}
