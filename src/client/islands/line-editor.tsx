import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { unitPriceDecimal, formatMoney, formatPercent, formatUnitPrice, type Locale, parseAmountToCents, parseUnitPriceToE4 } from "../../worker/domain/format";
import { computeTotals, type DocumentTotals, type TotalsError, type TotalsInput, unitPriceE4Of, unitPriceFields } from "../../worker/domain/totals";
import type { VatCategory } from "../../worker/domain/vat";
import { Combobox, type ComboboxLabels } from "./combobox";

/** A line as the editor holds it: what the user typed, as text. */
export interface EditorLine {
  productId: string | null;
  description: string;
  quantity: string;
  unitCode: string;
  /** Euros as typed, up to 4 decimals: "1 234,50", "1234.5", "3,333". */
  unitPrice: string;
  /** Percent as typed ("10", "12,5"), or euros for a line saved with an amount discount. */
  discount: string;
  discountKind: "percent" | "amount";
  /** {@link vatKey}: "S:2000" for a rate, "E:VATEX-FR-FRANCHISE" for an exemption. */
  vat: string;
  kind: "goods" | "service";
}

type Discount = { kind: "percent"; basisPoints: number } | { kind: "amount"; cents: number };

/** A line as the server stores it (DocumentLineInput in features/documents/schemas.ts). */
export interface LineJson {
  productId: string | null;
  description: string;
  quantity: string;
  unitCode: string;
  /**
   * The unit price as a dot decimal ("3.333", "650.00"), or what was typed when it does not parse,
   * so the server refuses it on that field with its reason (more than 4 decimals, not a number).
   */
  unitPrice: string;
  discount: Discount | null;
  vatCategory: VatCategory;
  vatRateBp: number;
  exemptionCode: string | null;
  kind: "goods" | "service";
}

/** A catalogue item the user can pick to prefill a line. */
export interface CatalogueItem {
  id: string;
  name: string;
  description: string | null;
  unitCode: string;
  unitPriceCents: number;
  /** Ten-thousandths when the catalogue price has 3 or 4 decimals. */
  unitPriceE4?: number | null;
  vat: string;
  kind: "goods" | "service";
}

/** A catalogue item as GET /api/v1/products returns it (the fields a line takes from it). */
export interface ApiProduct {
  id: string;
  name: string;
  description: string | null;
  unitCode: string;
  unitPriceCents: number;
  unitPriceE4?: number | null;
  vatCategory: string;
  vatRateBp: number;
  exemptionCode: string | null;
  kind: "goods" | "service";
}

/** A stored or searched product as the editor's catalogue item. */
export function catalogueItemOf(p: ApiProduct): CatalogueItem {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    unitCode: p.unitCode,
    unitPriceCents: p.unitPriceCents,
    ...(p.unitPriceE4 != null ? { unitPriceE4: p.unitPriceE4 } : {}),
    vat: vatKey(p.vatCategory, p.vatRateBp, p.exemptionCode),
    kind: p.kind,
  };
}

export interface Option {
  value: string;
  label: string;
}

export interface LineEditorLabels {
  line: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  discount: string;
  vat: string;
  kind: string;
  kindService: string;
  kindGoods: string;
  lineTotal: string;
  up: string;
  down: string;
  remove: string;
  addFree: string;
  catalogue: string;
  catalogueChoose: string;
  addProduct: string;
  empty: string;
  allowance: string;
  allowanceKind: string;
  linesTotal: string;
  totalHt: string;
  vatLine: string;
  totalTtc: string;
  excluded: string;
  errRequired: string;
  errQuantity: string;
  errPrice: string;
  errDiscount: string;
  errVat: string;
  errExemptionConflict: string;
  errOutsideMixed: string;
  errTooLarge: string;
  errAllowance: string;
  errNoLines: string;
  errFix: string;
}

export interface LineEditorProps {
  locale: Locale;
  /** Date whose VAT rates apply: the draft's issue date, or today. */
  vatDate: string;
  lines: EditorLine[];
  allowanceKind: "percent" | "amount";
  allowanceValue: string;
  /** Server errors keyed by {@link fieldOf} ("lines.0.quantity", "lines", "allowance"). */
  errors: Record<string, string>;
  products: CatalogueItem[];
  /** A catalogue too large to list: a search field on this endpoint replaces the select. */
  productSearch?: { endpoint: string; labels: ComboboxLabels };
  units: Option[];
  vatOptions: Option[];
  /** What a new free line starts with. */
  defaults: { vat: string; unitCode: string; kind: "goods" | "service" };
  labels: LineEditorLabels;
}

/** The VAT select value of a line: the rate for category S, the VATEX code for an exemption. */
export function vatKey(category: string, rateBp: number, exemptionCode?: string | null): string {
  return exemptionCode ? `${category}:${exemptionCode}` : `${category}:${rateBp}`;
}

/** The stored VAT of a {@link vatKey}: category, rate in basis points, exemption code. */
export function vatOf(key: string): Pick<LineJson, "vatCategory" | "vatRateBp" | "exemptionCode"> {
  const at = key.indexOf(":");
  const category = key.slice(0, at) as VatCategory;
  const rest = key.slice(at + 1);
  return /^\d+$/.test(rest) ? { vatCategory: category, vatRateBp: Number(rest), exemptionCode: null } : { vatCategory: category, vatRateBp: 0, exemptionCode: rest };
}

/** Hundredths as typed in a form: 123450 → "1234,50" (fr) / "1234.50" (en). */
export function centsToInput(cents: number, locale: Locale): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}${locale === "fr" ? "," : "."}${String(abs % 100).padStart(2, "0")}`;
}

/** A unit price in ten-thousandths as typed: 33_330 → "3,333" (fr) / "3.333" (en), 6_500_000 → "650,00". */
export function e4ToInput(e4: number, locale: Locale): string {
  const text = unitPriceDecimal(e4);
  return locale === "fr" ? text.replace(".", ",") : text;
}

/** A new line prefilled from a catalogue item: its name, unit, price (with its 4 decimals) and VAT. */
export function lineOfItem(item: CatalogueItem, locale: Locale): EditorLine {
  return {
    productId: item.id,
    description: item.description ? `${item.name}\n${item.description}` : item.name,
    quantity: "1",
    unitCode: item.unitCode,
    unitPrice: e4ToInput(unitPriceE4Of(item), locale),
    discount: "",
    discountKind: "percent",
    vat: item.vat,
    kind: item.kind,
  };
}

/** Basis points as a typed percentage: 1250 → "12,5", 1000 → "10". */
export function basisPointsToInput(bp: number, locale: Locale): string {
  const fraction = String(bp % 100).padStart(2, "0").replace(/0+$/, "");
  return fraction === "" ? String(Math.trunc(bp / 100)) : `${Math.trunc(bp / 100)}${locale === "fr" ? "," : "."}${fraction}`;
}

/** A stored line (or one posted back) as editor text. */
export function toEditorLine(l: LineJson, locale: Locale): EditorLine {
  const d = l.discount;
  return {
    productId: l.productId,
    description: l.description,
    quantity: locale === "fr" ? l.quantity.replace(".", ",") : l.quantity,
    unitCode: l.unitCode,
    unitPrice: locale === "fr" ? l.unitPrice.replace(".", ",") : l.unitPrice,
    discount: !d ? "" : d.kind === "percent" ? (Number.isSafeInteger(d.basisPoints) ? basisPointsToInput(d.basisPoints, locale) : "") : Number.isSafeInteger(d.cents) ? centsToInput(d.cents, locale) : "",
    discountKind: d?.kind ?? "percent",
    vat: vatKey(l.vatCategory, l.vatRateBp, l.exemptionCode),
    kind: l.kind,
  };
}

const QUANTITY = /^\d{1,9}(?:[.,]\d{1,4})?$/;

/** Parses the typed lines into the stored shape; `numeric[i]` is false when a line's numbers do not parse. */
export function parseLines(lines: EditorLine[], labels: LineEditorLabels) {
  const errors: Record<string, string> = {};
  const numeric: boolean[] = [];
  /** Each line's unit price in ten-thousandths (NaN when it does not parse). */
  const prices: number[] = [];
  const json = lines.map((l, i): LineJson => {
    const at = (f: string, m: string) => (errors[`lines.${i}.${f}`] = m);
    if (!l.description.trim()) at("description", labels.errRequired);
    const quantity = l.quantity.replace(/\s/g, "");
    const quantityOk = QUANTITY.test(quantity);
    if (!quantityOk) at("quantity", quantity ? labels.errQuantity : labels.errRequired);
    const price = parseUnitPriceToE4(l.unitPrice);
    const priceOk = typeof price === "number" && price >= 0;
    prices.push(priceOk ? price : Number.NaN);
    if (!priceOk) at("unitPrice", l.unitPrice.trim() ? labels.errPrice : labels.errRequired);
    let discount: Discount | null = null;
    let discountOk = true;
    if (l.discount.trim()) {
      const d = parseAmountToCents(l.discount);
      discountOk = d.ok && d.cents >= 0 && (l.discountKind === "amount" || d.cents <= 10_000);
      // An unreadable discount is sent as NaN (JSON null) so the server refuses it rather than dropping it.
      const value = discountOk && d.ok ? d.cents : Number.NaN;
      if (!discountOk) at("discount", labels.errDiscount);
      if (value !== 0) discount = l.discountKind === "percent" ? { kind: "percent", basisPoints: value } : { kind: "amount", cents: value };
    }
    numeric.push(quantityOk && priceOk && discountOk);
    return {
      productId: l.productId,
      description: l.description.trim(),
      quantity: quantityOk ? quantity.replace(",", ".") : l.quantity,
      unitCode: l.unitCode,
      unitPrice: priceOk ? unitPriceDecimal(price) : l.unitPrice.trim(),
      discount,
      ...vatOf(l.vat),
      kind: l.kind,
    };
  });
  return { json, errors, numeric, prices };
}

/** The document discount as stored, from what was typed; "" is no discount. */
export function parseAllowance(kind: "percent" | "amount", value: string): { kind: "percent" | "amount"; value: number } | null | "invalid" {
  if (!value.trim()) return null;
  const v = parseAmountToCents(value);
  if (!v.ok || v.cents < 0 || (kind === "percent" && v.cents > 10_000)) return "invalid";
  return v.cents === 0 ? null : { kind, value: v.cents };
}

type TotalsLine = Pick<LineJson, "quantity" | "vatCategory" | "vatRateBp"> & {
  unitPriceCents: number;
  unitPriceE4?: number | null;
  discount?: Discount | null;
  exemptionCode?: string | null;
};

/** The totals input of a draft, exactly as the server computes it (features/documents/drafts.ts). */
export function totalsInputOf(lines: TotalsLine[], allowance: { kind: "percent" | "amount"; value: number } | null | undefined, vatDate: string): TotalsInput {
  return {
    vatDate,
    lines: lines.map((l) => ({
      quantity: l.quantity,
      unitPriceCents: l.unitPriceCents,
      unitPriceE4: l.unitPriceE4 ?? null,
      ...(l.discount ? { discount: l.discount } : {}),
      vat: { category: l.vatCategory, rateBasisPoints: l.vatRateBp, ...(l.exemptionCode ? { exemptionCode: l.exemptionCode } : {}) },
    })),
    allowances: allowance
      ? [allowance.kind === "percent" ? { kind: "percent", basisPoints: allowance.value, reason: "Remise" } : { kind: "amount", cents: allowance.value, reason: "Remise" }]
      : [],
  };
}

const VAT_FIELDS = new Set(["vat", "vatCategory", "vatRateBp", "exemptionCode"]);

/** The editor field an error path belongs to: "lines.2.vatRateBp" → "lines.2.vat", "allowance.value" → "allowance". */
export function fieldOf(path: string): string {
  const m = /^lines\.(\d+)(?:\.(\w+))?/.exec(path);
  if (m) {
    const f = m[2];
    const field = !f ? "" : VAT_FIELDS.has(f) ? "vat" : f === "unitPriceCents" || f === "unitPriceE4" ? "unitPrice" : f === "unitCode" ? "unit" : f === "productId" ? "description" : f;
    return field ? `lines.${m[1]}.${field}` : `lines.${m[1]}`;
  }
  return path.startsWith("allowance") ? "allowance" : path;
}

/** computeTotals errors as messages for the user, keyed by editor field; the first per field wins. */
export function totalsErrors(errors: TotalsError[], labels: LineEditorLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = e.code === "negative_amount" ? "allowance" : fieldOf(e.path);
    const c = e.code;
    const message =
      c === "invalid_quantity" || c === "quantity_precision" || c === "negative_quantity"
        ? labels.errQuantity
        : c === "invalid_price"
          ? labels.errPrice
          : c === "invalid_discount"
            ? labels.errDiscount
            : c === "exemption_conflict"
              ? labels.errExemptionConflict
              : c === "outside_scope_mixed"
                ? labels.errOutsideMixed
                : c === "no_lines"
                  ? labels.errNoLines
                  : c === "amount_too_large"
                    ? labels.errTooLarge
                    : c === "invalid_allowance" || c === "allowance_base_invalid" || c === "negative_amount"
                      ? labels.errAllowance
                      : labels.errVat;
    out[key] ??= message;
  }
  return out;
}

type Row = EditorLine & { key: number };

const fill = (s: string, n: number) => s.replace("{n}", String(n));

/**
 * The lines of a quote or invoice: add, remove, reorder, prefill from the catalogue, with live
 * totals from the same domain module the server computes with. Serialises the lines as JSON into
 * the hidden `lines` input of the surrounding form. Server-rendered read-only first, so the form
 * submits the existing lines even without JavaScript.
 */
export function LineEditor(p: LineEditorProps) {
  const { labels: L, locale } = p;
  const nextKey = useRef(p.lines.length);
  const root = useRef<HTMLDivElement>(null);
  const [rows, setRows] = useState<Row[]>(() => p.lines.map((l, key) => ({ ...l, key })));
  const [allowanceKind, setAllowanceKind] = useState(p.allowanceKind);
  const [allowanceValue, setAllowanceValue] = useState(p.allowanceValue);
  const [live, setLive] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<number>>(new Set());
  const [pick, setPick] = useState("");

  const parsed = parseLines(rows, L);
  const counted: TotalsLine[] = parsed.json.flatMap((l, i) => (parsed.numeric[i] ? [{ ...l, ...unitPriceFields(parsed.prices[i] ?? 0) }] : []));
  const allowance = parseAllowance(allowanceKind, allowanceValue);
  const result = counted.length ? computeTotals(totalsInputOf(counted, allowance === "invalid" ? null : allowance, p.vatDate)) : null;
  const totals: DocumentTotals | null = result?.ok ? result.totals : null;

  // Totals errors are indexed among the counted lines: map them back to the editor's rows.
  const rowOf = parsed.numeric.map((ok, i) => (ok ? i : -1)).filter((i) => i >= 0);
  const computed = result && !result.ok ? totalsErrors(result.errors.map((e) => ({ ...e, path: e.path.replace(/^lines\.(\d+)/, (_, n: string) => `lines.${rowOf[Number(n)]}`) })), L) : {};
  const local: Record<string, string> = { ...computed, ...parsed.errors };
  if (allowance === "invalid") local.allowance = L.errDiscount;
  if (rows.length === 0) local.lines = L.errNoLines;
  const errorsRef = useRef(local);
  errorsRef.current = local;

  useEffect(() => {
    setLive(true);
    const form = root.current?.closest("form");
    const onSubmit = (e: SubmitEvent) => {
      if (Object.keys(errorsRef.current).length === 0) return;
      e.preventDefault();
      setSubmitted(true);
      setTimeout(() => root.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus(), 0);
    };
    form?.addEventListener("submit", onSubmit);
    return () => form?.removeEventListener("submit", onSubmit);
  }, []);

  const errorAt = (key: string, rowKey?: number): string | undefined => {
    const own = local[key];
    if (own && (submitted || computed[key] || (rowKey !== undefined && touched.has(rowKey)) || key === "allowance")) return own;
    return dirty ? undefined : p.errors[key];
  };

  const edit = (key: number, patch: Partial<EditorLine>) => {
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setTouched((t) => new Set(t).add(key));
    setDirty(true);
  };
  const move = (i: number, by: number) => {
    setRows((rs) => {
      const next = rs.slice();
      const [row] = next.splice(i, 1);
      if (row) next.splice(i + by, 0, row);
      return next;
    });
    setDirty(true);
  };
  // The line just added, whose description takes the focus once rendered (keyboard and screen
  // reader users land in the new line instead of staying on the button).
  const focusLine = useRef<number | null>(null);
  useEffect(() => {
    if (focusLine.current === null) return;
    root.current?.querySelector<HTMLElement>(`#le-${focusLine.current}-description`)?.focus();
    focusLine.current = null;
  });
  const add = (line: EditorLine) => {
    const key = nextKey.current++;
    focusLine.current = key;
    setRows((rs) => [...rs, { ...line, key }]);
    setDirty(true);
  };
  const addItem = (item: CatalogueItem) => add(lineOfItem(item, locale));
  const addProduct = () => {
    const item = p.products.find((x) => x.id === pick);
    if (!item) return;
    addItem(item);
    setPick("");
  };
  const money = (cents: number) => formatMoney(cents, locale);

  const field = (r: Row, i: number, name: string, label: string, control: (id: string, describedBy: string | undefined, invalid: boolean) => JSX.Element, cls = "") => {
    const id = `le-${r.key}-${name}`;
    const error = errorAt(`lines.${i}.${name}`, r.key);
    return (
      <div class={`le-field le-${name}${cls}${error ? " has-error" : ""}`}>
        <label for={id}>{label}</label>
        {control(id, error ? `${id}-error` : undefined, Boolean(error))}
        {error ? (
          <p class="error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    );
  };
  const options = (list: Option[], current: string) =>
    (list.some((o) => o.value === current) ? list : [{ value: current, label: current }, ...list]).map((o) => (
      <option value={o.value} key={o.value}>
        {o.label}
      </option>
    ));
  const text = (r: Row, f: "quantity" | "unitPrice" | "discount", mode: "decimal") => (id: string, describedBy: string | undefined, invalid: boolean) => (
    <input
      id={id}
      type="text"
      inputMode={mode}
      value={r[f]}
      readOnly={!live}
      aria-invalid={invalid ? "true" : undefined}
      aria-describedby={describedBy}
      onInput={(e) => edit(r.key, { [f]: e.currentTarget.value })}
      onBlur={(e) => {
        // Show a typed amount the way it will be printed: "1234.5" → "1234,50".
        const v = parseUnitPriceToE4(e.currentTarget.value);
        if (f === "unitPrice" && typeof v === "number" && v >= 0) edit(r.key, { unitPrice: e4ToInput(v, locale) });
      }}
    />
  );
  const lineError = (i: number) => errorAt(`lines.${i}`);
  const linesError = errorAt("lines");
  const allowanceError = errorAt("allowance");
  const excluded = rows.length - counted.length;

  return (
    <div class="le" ref={root}>
      <input type="hidden" name="lines" value={JSON.stringify(parsed.json)} />
      {submitted && Object.keys(local).length > 0 ? (
        <p class="form-errors" role="alert">
          {L.errFix}
        </p>
      ) : null}
      {linesError ? <p class="error">{linesError}</p> : null}
      {rows.length === 0 ? <p class="le-empty">{L.empty}</p> : null}
      <ol class="le-lines">
        {rows.map((r, i) => {
          const n = i + 1;
          const idx = rowOf.indexOf(i);
          const net = totals && idx >= 0 ? totals.lines[idx]?.netCents : undefined;
          const rowError = lineError(i);
          return (
            <li class="le-line" key={r.key} aria-label={fill(L.line, n)}>
              <div class="le-top">
                <span class="le-num" aria-hidden="true">
                  {n}
                </span>
                {field(r, i, "description", L.description, (id, describedBy, invalid) => (
                  <textarea
                    id={id}
                    rows={r.description.includes("\n") ? 3 : 1}
                    maxLength={1000}
                    value={r.description}
                    readOnly={!live}
                    aria-invalid={invalid ? "true" : undefined}
                    aria-describedby={describedBy}
                    onInput={(e) => edit(r.key, { description: e.currentTarget.value })}
                  />
                ))}
                <div class="le-actions">
                  <button type="button" class="icon-button" aria-label={fill(L.up, n)} title={fill(L.up, n)} disabled={!live || i === 0} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={fill(L.down, n)}
                    title={fill(L.down, n)}
                    disabled={!live || i === rows.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    class="icon-button danger"
                    aria-label={fill(L.remove, n)}
                    title={fill(L.remove, n)}
                    disabled={!live}
                    onClick={() => {
                      setRows((rs) => rs.filter((x) => x.key !== r.key));
                      setDirty(true);
                    }}
                  >
                    ✕
                  </button>
                </div>
              </div>
              <div class="le-grid">
                {field(r, i, "quantity", L.quantity, text(r, "quantity", "decimal"))}
                {field(r, i, "unit", L.unit, (id) => (
                  <select id={id} value={r.unitCode} disabled={!live} onChange={(e) => edit(r.key, { unitCode: e.currentTarget.value })}>
                    {options(p.units, r.unitCode)}
                  </select>
                ))}
                {field(r, i, "unitPrice", L.unitPrice, text(r, "unitPrice", "decimal"))}
                {field(r, i, "discount", `${L.discount} (${r.discountKind === "percent" ? "%" : "€"})`, text(r, "discount", "decimal"))}
                {field(r, i, "vat", L.vat, (id, describedBy, invalid) => (
                  <select
                    id={id}
                    value={r.vat}
                    disabled={!live}
                    aria-invalid={invalid ? "true" : undefined}
                    aria-describedby={describedBy}
                    onChange={(e) => edit(r.key, { vat: e.currentTarget.value })}
                  >
                    {options(p.vatOptions, r.vat)}
                  </select>
                ))}
                {field(r, i, "kind", L.kind, (id) => (
                  <select id={id} value={r.kind} disabled={!live} onChange={(e) => edit(r.key, { kind: e.currentTarget.value as EditorLine["kind"] })}>
                    <option value="service">{L.kindService}</option>
                    <option value="goods">{L.kindGoods}</option>
                  </select>
                ))}
                <div class="le-field le-net">
                  <span class="le-net-label">{L.lineTotal}</span>
                  <output class="num">{net === undefined ? "—" : money(net)}</output>
                </div>
              </div>
              {rowError ? <p class="error">{rowError}</p> : null}
            </li>
          );
        })}
      </ol>

      <div class="le-add">
        <button type="button" class="button" disabled={!live} onClick={() => add({ productId: null, description: "", quantity: "1", unitCode: p.defaults.unitCode, unitPrice: "", discount: "", discountKind: "percent", vat: p.defaults.vat, kind: p.defaults.kind })}>
          + {L.addFree}
        </button>
        {p.productSearch ? (
          <div class="le-pick le-search">
            <Combobox<ApiProduct>
              id="le-pick"
              label={L.catalogue}
              hideLabel
              placeholder={L.catalogueChoose}
              endpoint={p.productSearch.endpoint}
              selected={null}
              clearOnSelect
              labels={p.productSearch.labels}
              format={(x) => `${x.name} — ${formatUnitPrice(unitPriceE4Of(x), locale)}`}
              onSelect={(x) => addItem(catalogueItemOf(x))}
            />
          </div>
        ) : p.products.length > 0 ? (
          <div class="le-pick">
            <label for="le-pick" class="visually-hidden">
              {L.catalogue}
            </label>
            <select id="le-pick" value={pick} disabled={!live} onChange={(e) => setPick(e.currentTarget.value)}>
              <option value="">{L.catalogueChoose}</option>
              {p.products.map((x) => (
                <option value={x.id} key={x.id}>
                  {`${x.name} — ${formatUnitPrice(unitPriceE4Of(x), locale)}`}
                </option>
              ))}
            </select>
            <button type="button" class="button" disabled={!live || !pick} onClick={addProduct}>
              {L.addProduct}
            </button>
          </div>
        ) : null}
      </div>

      <div class="le-bottom">
        <div class={`le-allowance${allowanceError ? " has-error" : ""}`}>
          <label for="f-allowanceValue">{L.allowance}</label>
          <div class="le-inline">
            <input
              id="f-allowanceValue"
              name="allowanceValue"
              type="text"
              inputMode="decimal"
              value={allowanceValue}
              aria-invalid={allowanceError ? "true" : undefined}
              aria-describedby={allowanceError ? "f-allowanceValue-error" : undefined}
              onInput={(e) => {
                setAllowanceValue(e.currentTarget.value);
                setDirty(true);
              }}
            />
            <select name="allowanceKind" aria-label={L.allowanceKind} value={allowanceKind} onChange={(e) => setAllowanceKind(e.currentTarget.value as "percent" | "amount")}>
              <option value="percent">%</option>
              <option value="amount">€</option>
            </select>
          </div>
          {allowanceError ? (
            <p class="error" id="f-allowanceValue-error">
              {allowanceError}
            </p>
          ) : null}
        </div>
        <dl class="le-totals" aria-live="polite">
          {totals && totals.allowanceTotalCents > 0 ? (
            <>
              <div>
                <dt>{L.linesTotal}</dt>
                <dd>{money(totals.lineNetTotalCents)}</dd>
              </div>
              <div>
                <dt>{L.allowance}</dt>
                <dd>{money(-totals.allowanceTotalCents)}</dd>
              </div>
            </>
          ) : null}
          <div>
            <dt>{L.totalHt}</dt>
            <dd>{totals ? money(totals.taxExclusiveCents) : "—"}</dd>
          </div>
          {totals?.vatBreakdown.map((b) => (
            <div key={`${b.category}:${b.rateBasisPoints}`}>
              <dt>{b.category === "S" ? L.vatLine.replace("{rate}", formatPercent(b.rateBasisPoints, locale)) : (b.exemptionReason ?? L.vat)}</dt>
              <dd>{money(b.vatCents)}</dd>
            </div>
          ))}
          <div class="le-grand">
            <dt>{L.totalTtc}</dt>
            <dd>{totals ? money(totals.taxInclusiveCents) : "—"}</dd>
          </div>
        </dl>
      </div>
      {excluded > 0 && rows.length > 0 ? <p class="hint le-excluded">{fill(L.excluded, excluded)}</p> : null}
    </div>
  );
}
