import { luhnKey } from "../../domain/identifiers";
import { createClient } from "../clients/verbs";
import { ClientInput } from "../clients/schemas";
import { cancelInvoice } from "../documents/cancel";
import { type AccountVerbCtx, createDraft, type DocumentRow, loadDocument, todayInParis } from "../documents/drafts";
import { issueDocument } from "../documents/issue";
import { acceptQuote, convertQuote, refuseQuote } from "../documents/quotes";
import { shareDocument } from "../documents/share";
import type { DocumentLineInput, DraftInput } from "../documents/schemas";
import { recordPayment } from "../payments/verbs";
import { ProductInput } from "../products/schemas";
import { createProduct } from "../products/verbs";
import { MovementInput } from "../stock/schemas";
import { recordMovement } from "../stock/verbs";
import { TimeEntryInput } from "../time/schemas";
import { billEntries, createEntry } from "../time/verbs";

/**
 * A believable year of a freelance consultant under the VAT franchise, written through the same
 * verbs as the pages and the API (numbering object, PDFs, payments, stock, time), each step at its
 * own date so issue times, payment delays and the dashboard's months look like a real business.
 * Deterministic: the same day gives the same demo.
 */
export interface DemoSummary {
  clients: number;
  products: number;
  quotes: number;
  invoices: number;
  payments: number;
  creditNotes: number;
  timeEntries: number;
}

const FRANCHISE = { vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE" } as const;

function siretFor(seed: number): string {
  const siren = `${String(40_000_000 + seed * 7_919).slice(0, 8)}`;
  const full = siren + luhnKey(siren);
  const nic = `${full}0001`;
  return nic + luhnKey(nic);
}

/** A small deterministic generator (mulberry32), so the demo is the same at each seeding. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Monday to Friday only: nobody invoices on a Sunday in a demo. */
function businessDay(iso: string): string {
  let d = iso;
  while ([0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return d;
}

const COMPANIES = [
  { name: "Boulangerie Kerlann SARL", city: "Quimper", postalCode: "29000", street: "8 rue Kéréon" },
  { name: "Œuvre & Cie — Ébène", city: "Lyon", postalCode: "69002", street: "21 quai Saint-Antoine" },
  { name: "Atelier Rouvière", city: "Montpellier", postalCode: "34000", street: "5 rue de l'Aiguillerie" },
  { name: "Librairie des Quais SAS", city: "Bordeaux", postalCode: "33000", street: "47 quai des Chartrons" },
  { name: "Studio Pépin Architectes", city: "Nantes", postalCode: "44000", street: "12 allée Duguay-Trouin" },
  { name: "Cave Saint-Vincent", city: "Dijon", postalCode: "21000", street: "3 place François-Rude" },
  { name: "Ferme du Val d'Oust", city: "Josselin", postalCode: "56120", street: "Lieu-dit Le Val" },
  { name: "Maison Lemaire Traiteur", city: "Lille", postalCode: "59000", street: "90 rue Esquermoise" },
  { name: "Cabinet Navarro Avocats", city: "Toulouse", postalCode: "31000", street: "14 rue d'Alsace-Lorraine" },
  { name: "Vélos Berthier", city: "Grenoble", postalCode: "38000", street: "27 cours Berriat" },
];
const PEOPLE = [
  { name: "Sophie Garnier", city: "Villeurbanne", postalCode: "69100", street: "6 rue Francis-de-Pressensé" },
  { name: "Thomas Lefèvre", city: "Annecy", postalCode: "74000", street: "2 avenue de Chevêne" },
  { name: "Inès Haddad", city: "Marseille", postalCode: "13006", street: "31 rue Paradis" },
  { name: "Julien Marchand", city: "Rennes", postalCode: "35000", street: "9 rue de la Monnaie" },
  { name: "Claire Dubois", city: "Tours", postalCode: "37000", street: "18 rue Colbert" },
];

const PRODUCTS = [
  { key: "day", name: "Accompagnement stratégique (journée)", unitCode: "DAY", price: "650", kind: "service" },
  { key: "half", name: "Atelier de conception (demi-journée)", unitCode: "C62", price: "380", kind: "service" },
  { key: "audit", name: "Audit de site web", unitCode: "C62", price: "1200", kind: "service" },
  { key: "hour", name: "Formation", unitCode: "HUR", price: "85", kind: "service" },
  { key: "page", name: "Rédaction de contenu (page)", unitCode: "C62", price: "120", kind: "service" },
  { key: "notebook", name: "Carnet de marque imprimé", unitCode: "C62", price: "18", kind: "goods", stock: true },
  { key: "kit", name: "Kit de présentation", unitCode: "C62", price: "45", kind: "goods", stock: true },
] as const;
type ProductKey = (typeof PRODUCTS)[number]["key"];

export async function seedDemoBusiness(base: AccountVerbCtx): Promise<DemoSummary> {
  const today = todayInParis(base.now);
  const year = Number(today.slice(0, 4));
  // The last eleven months, whatever today is: each step runs with its own clock, so the issue-date
  // rules (not in the future, not in a past year) hold on the step's day, also across New Year.
  const start = businessDay(addDays(today, -335));
  // Every step runs "on its day": 10:00 Paris time that day, never after the real now.
  const at = (iso: string): AccountVerbCtx => ({ ...base, now: Math.min(base.now, Date.parse(`${iso}T09:00:00Z`)) });
  const random = prng(year * 31 + 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const summary: DemoSummary = { clients: 0, products: 0, quotes: 0, invoices: 0, payments: 0, creditNotes: 0, timeEntries: 0 };

  // Clients: ten businesses (SIRET, electronic address from it) and five private individuals.
  const clientIds: string[] = [];
  for (const [i, c] of COMPANIES.entries()) {
    const input = ClientInput.parse({
      kind: "company",
      name: c.name,
      siret: siretFor(i + 1),
      addressLine1: c.street,
      postalCode: c.postalCode,
      city: c.city,
      country: "FR",
      email: `compta@${c.name.toLowerCase().normalize("NFD").replace(/[^a-z]+/g, "")}.example.fr`,
      paymentTermsDays: i % 3 === 0 ? "45" : "30",
    });
    clientIds.push((await createClient(at(start), input)).id);
  }
  for (const p of PEOPLE) {
    const input = ClientInput.parse({ kind: "individual", name: p.name, addressLine1: p.street, postalCode: p.postalCode, city: p.city, country: "FR" });
    clientIds.push((await createClient(at(start), input)).id);
  }
  summary.clients = clientIds.length;
  const companies = clientIds.slice(0, COMPANIES.length);

  // Catalogue, with stock for the two goods (opening stock, then a reception in June).
  const products = new Map<ProductKey, { id: string; cents: number; unitCode: string; kind: "goods" | "service"; name: string }>();
  for (const p of PRODUCTS) {
    const created = await createProduct(
      at(start),
      ProductInput.parse({ name: p.name, unitCode: p.unitCode, unitPrice: p.price, vatRate: "0", exemptionCode: FRANCHISE.exemptionCode, kind: p.kind, stockTracked: "stock" in p ? "on" : undefined }),
    );
    products.set(p.key, { id: created.id, cents: Number(p.price) * 100, unitCode: p.unitCode, kind: p.kind, name: p.name });
    if ("stock" in p) {
      await recordMovement(at(start), created.id, MovementInput.parse({ reason: "initial", quantity: p.key === "notebook" ? "200" : "40", occurredOn: start }));
      const restock = businessDay(addDays(today, -180));
      await recordMovement(at(restock), created.id, MovementInput.parse({ reason: "purchase", quantity: p.key === "notebook" ? "150" : "25", occurredOn: restock, note: "Réassort imprimeur" }));
    }
  }
  summary.products = products.size;

  const line = (key: ProductKey, quantity: string): DocumentLineInput => {
    const p = products.get(key);
    if (!p) throw new Error(`demo product ${key}`);
    return { productId: p.id, description: p.name, quantity, unitCode: p.unitCode, unitPriceCents: p.cents, unitPriceE4: null, discount: null, ...FRANCHISE, kind: p.kind };
  };
  const draftOf = (clientId: string, issueDate: string, lines: DocumentLineInput[], extra: Partial<DraftInput> = {}): DraftInput => ({
    clientId,
    issueDate,
    deliveryDate: issueDate,
    validUntil: null,
    paymentTermsDays: null,
    purchaseOrderReference: undefined,
    note: undefined,
    allowance: null,
    lines,
    ...extra,
  });
  const issue = async (date: string, type: "invoice" | "quote", draft: DraftInput): Promise<DocumentRow> => {
    const id = await createDraft(at(date), type, draft);
    const doc = await issueDocument(at(date), id, { issueDate: date });
    if (type === "quote") summary.quotes++;
    else summary.invoices++;
    return doc;
  };
  const pay = async (doc: DocumentRow, on: string, cents: number, method: "virement" | "cheque" | "carte") => {
    if (on > today) return;
    await recordPayment(at(on), doc.id, { receivedOn: on, amountCents: cents, method, reference: method === "virement" ? `VIR ${doc.number}` : undefined });
    summary.payments++;
  };

  // The quotes of the year: accepted (one paid by a deposit, then its final invoice), refused, expired.
  const quoteDates = [-300, -270, -235, -200, -150, -95, -60, -12].map((d) => businessDay(addDays(today, d))).filter((d) => d <= today);
  const outcomes = ["accepted", "refused", "expired", "accepted", "refused", "deposit", "accepted", "open"] as const;
  const acceptedQuotes: { doc: DocumentRow; on: string; deposit: boolean }[] = [];
  for (const [i, on] of quoteDates.entries()) {
    const outcome = outcomes[i] ?? "open";
    const client = companies[(i * 3) % companies.length] as string;
    const lines = outcome === "deposit" ? [line("day", "6"), line("audit", "1")] : [line(pick(["day", "half", "audit"] as const), String(1 + Math.floor(random() * 3))), line("page", String(2 + Math.floor(random() * 6)))];
    const quote = await issue(on, "quote", draftOf(client, on, lines, { deliveryDate: null, validUntil: addDays(on, 30) }));
    if (outcome === "expired" || outcome === "open") continue;
    const answered = businessDay(addDays(on, 3 + Math.floor(random() * 6)));
    if (answered > today) continue;
    await shareDocument(at(on), quote.id);
    const { doc } = await loadDocument(at(answered), quote.id);
    if (outcome === "refused") await refuseQuote(at(answered), doc);
    else {
      await acceptQuote(at(answered), doc, { name: "Direction", ip: null });
      acceptedQuotes.push({ doc, on: answered, deposit: outcome === "deposit" });
    }
  }

  // Everything dated, then issued in date order (the numbering refuses a date before the last one).
  type Step = { on: string; run: () => Promise<void> };
  const steps: Step[] = [];
  for (const { doc, on, deposit } of acceptedQuotes) {
    if (deposit) {
      // 30 % on acceptance, the final invoice (deposit deducted) when the work is delivered.
      const depositOn = businessDay(addDays(on, 2));
      const finalOn = businessDay(addDays(on, 40));
      steps.push({
        on: depositOn,
        run: async () => {
          const id = await convertQuote(at(depositOn), doc.id, { to: "deposit_invoice", percentBp: 3_000 });
          const dep = await issueDocument(at(depositOn), id, { issueDate: depositOn });
          summary.invoices++;
          await pay(dep, businessDay(addDays(depositOn, 6)), dep.dueCents ?? 0, "virement");
        },
      });
      if (finalOn <= today) {
        steps.push({
          on: finalOn,
          run: async () => {
            const finalId = await convertQuote(at(finalOn), doc.id, { to: "invoice" });
            const fin = await issueDocument(at(finalOn), finalId, { issueDate: finalOn });
            summary.invoices++;
            await pay(fin, businessDay(addDays(finalOn, 21)), fin.dueCents ?? 0, "virement");
          },
        });
      }
    } else {
      const invoiceOn = businessDay(addDays(on, 14));
      if (invoiceOn > today) continue;
      steps.push({
        on: invoiceOn,
        run: async () => {
          const id = await convertQuote(at(invoiceOn), doc.id, { to: "invoice" });
          const inv = await issueDocument(at(invoiceOn), id, { issueDate: invoiceOn });
          summary.invoices++;
          await pay(inv, businessDay(addDays(invoiceOn, 18 + Math.floor(random() * 25))), inv.dueCents ?? 0, "virement");
        },
      });
    }
  }

  // Regular work: an invoice every week or two, mostly paid 10 to 58 days later.
  let n = 0;
  for (let on = businessDay(addDays(start, 3)); on <= today; on = businessDay(addDays(on, 6 + Math.floor(random() * 6)))) {
    const day = on;
    n++;
    // About one in eleven stays unpaid (overdue once its term has passed), one in nine is half paid.
    const fate = n % 11 === 5 ? "unpaid" : n % 9 === 4 ? "half" : "paid";
    const toPerson = random() < 0.2;
    const client = toPerson ? (pick(clientIds.slice(COMPANIES.length)) as string) : (pick(companies) as string);
    const lines = toPerson
      ? [line("hour", String(2 + Math.floor(random() * 6))), ...(random() < 0.5 ? [line("notebook", String(1 + Math.floor(random() * 3)))] : [])]
      : [line(pick(["day", "half", "audit", "page"] as const), String(1 + Math.floor(random() * 4))), ...(random() < 0.35 ? [line(pick(["notebook", "kit"] as const), String(5 + Math.floor(random() * 20)))] : [])];
    const method = pick(["virement", "virement", "virement", "cheque", "carte"] as const);
    const delay = 10 + Math.floor(random() * 48);
    steps.push({
      on: day,
      run: async () => {
        const inv = await issue(day, "invoice", draftOf(client, day, lines));
        const due = inv.dueCents ?? 0;
        if (fate === "unpaid") return;
        const paidOn = businessDay(addDays(day, delay));
        await pay(inv, paidOn, fate === "half" ? Math.round(due / 2) : due, method);
      },
    });
  }

  // A mistake put right: an invoice sent to the wrong client, cancelled by its credit note.
  const mistakeOn = businessDay(addDays(today, -170));
  if (mistakeOn <= today) {
    steps.push({
      on: mistakeOn,
      run: async () => {
        const wrong = await issue(mistakeOn, "invoice", draftOf(companies[4] as string, mistakeOn, [line("half", "2")]));
        await cancelInvoice(at(businessDay(addDays(mistakeOn, 1))), wrong.id);
        summary.creditNotes++;
      },
    });
  }

  steps.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  for (const s of steps) await s.run();

  // Time tracked over the last three weeks for one client; the older half billed into a draft to review.
  const timeClient = companies[1] as string;
  const entryIds: string[] = [];
  for (let i = 21; i >= 1; i--) {
    const day = addDays(today, -i);
    if ([0, 6].includes(new Date(`${day}T12:00:00Z`).getUTCDay())) continue;
    const entry = await createEntry(
      at(day),
      TimeEntryInput.parse({ clientId: timeClient, productId: products.get("hour")?.id, description: pick(["Ateliers utilisateurs", "Maquettes du site", "Point d'avancement", "Recette et corrections"]), workDate: day, duration: pick(["1:30", "2:00", "3:30", "0:45", "4:00"]), billable: "on" }),
    );
    summary.timeEntries++;
    if (i > 10) entryIds.push(entry.id);
  }
  if (entryIds.length > 0) await billEntries(at(today), timeClient, entryIds);

  return summary;
}
