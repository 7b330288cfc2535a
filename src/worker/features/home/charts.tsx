import type { Locale } from "../../domain/format";

// Server-rendered SVG charts, no library: each is an <svg role="img"> named by its <title> and
// <desc>, each bar carries its exact figure in a <title>, and the same numbers are always given as
// a table (the caller's <details>), so nothing is known only from the picture.

/** Whole euros for axis labels ("12 000 €"); exact amounts are in the bar titles and the table. */
function axisEuros(cents: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { style: "currency", currency: "EUR", maximumFractionDigits: 0 }).format(Math.round(cents / 100));
}

/** French typography puts a space before a colon. */
const colon = (locale: Locale) => (locale === "fr" ? "\u00a0: " : ": ");

/**
 * A round top for the scale: 1, 2 or 5 × 10^n euros, at least the largest value and at least 10 €,
 * so the middle grid line is a whole number of euros too (an empty chart reads 0 €, 5 €, 10 €).
 */
export function niceMax(cents: number): number {
  if (cents <= 1000) return 1000;
  const magnitude = 10 ** Math.floor(Math.log10(cents));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= cents) return step * magnitude;
  return 10 * magnitude;
}

export interface Series {
  key: string;
  label: string;
}

export interface GroupedBarChartProps {
  id: string;
  title: string;
  desc: string;
  locale: Locale;
  groups: Array<{ label: string; longLabel: string; values: number[] }>;
  series: Series[];
  money: (cents: number) => string;
}

/** Vertical bars grouped by period (one bar per series), with a light grid and a legend. */
export function GroupedBarChart(p: GroupedBarChartProps) {
  const width = 760;
  const height = 260;
  const left = 64;
  const bottom = 28;
  const top = 12;
  const plotH = height - top - bottom;
  const plotW = width - left - 8;
  const max = niceMax(Math.max(0, ...p.groups.flatMap((g) => g.values)));
  const groupW = plotW / Math.max(1, p.groups.length);
  const barW = Math.max(4, (groupW - 10) / p.series.length);
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} class="chart-svg">
        <title id={`${p.id}-title`}>{p.title}</title>
        <desc id={`${p.id}-desc`}>{p.desc}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f} class="chart-grid" aria-hidden="true">
            <line x1={left} x2={width - 8} y1={y(max * f)} y2={y(max * f)} />
            <text x={left - 6} y={y(max * f) + 4} text-anchor="end">
              {axisEuros(max * f, p.locale)}
            </text>
          </g>
        ))}
        {p.groups.map((g, gi) => (
          <g key={g.longLabel}>
            {g.values.map((v, si) => {
              const s = p.series[si];
              const x = left + gi * groupW + 5 + si * barW;
              return (
                <rect key={s?.key ?? si} class={`chart-bar chart-${s?.key ?? si}`} x={x} y={y(v)} width={barW - 2} height={Math.max(0, top + plotH - y(v))}>
                  <title>{`${g.longLabel} — ${s?.label ?? ""}${colon(p.locale)}${p.money(v)}`}</title>
                </rect>
              );
            })}
            <text class="chart-label" x={left + gi * groupW + groupW / 2} y={height - 8} text-anchor="middle" aria-hidden="true">
              {g.label}
            </text>
          </g>
        ))}
      </svg>
      <figcaption class="chart-legend" aria-hidden="true">
        {p.series.map((s) => (
          <span key={s.key}>
            <span class={`chart-swatch chart-${s.key}`} /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export interface HBarChartProps {
  id: string;
  title: string;
  desc: string;
  locale: Locale;
  bars: Array<{ label: string; value: number; tone?: "warn" }>;
  money: (cents: number) => string;
}

/** Horizontal bars with their label on the left and their amount on the right. */
export function HBarChart(p: HBarChartProps) {
  // Sized for half a page: text stays at its CSS size once the panel scales the drawing.
  const width = 440;
  const row = 30;
  const labelW = 150;
  const amountW = 90;
  const height = p.bars.length * row + 8;
  const max = Math.max(1, ...p.bars.map((b) => b.value));
  const plotW = width - labelW - amountW;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} class="chart-svg chart-hbars">
      <title id={`${p.id}-title`}>{p.title}</title>
      <desc id={`${p.id}-desc`}>{p.desc}</desc>
      {p.bars.map((b, i) => {
        const w = (Math.max(0, b.value) / max) * plotW;
        const label = b.label.length > 18 ? `${b.label.slice(0, 17)}…` : b.label;
        return (
          <g key={`${b.label}-${i}`}>
            <text class="chart-label" x={labelW - 8} y={i * row + 20} text-anchor="end" aria-hidden="true">
              {label}
            </text>
            <rect class={`chart-bar ${b.tone === "warn" ? "chart-warn" : "chart-received"}`} x={labelW} y={i * row + 6} width={Math.max(w, b.value > 0 ? 2 : 0)} height={row - 10}>
              <title>{`${b.label}${colon(p.locale)}${p.money(b.value)}`}</title>
            </rect>
            <text class="chart-amount" x={labelW + w + 6} y={i * row + 20} aria-hidden="true">
              {p.money(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
