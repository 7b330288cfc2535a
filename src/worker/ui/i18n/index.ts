import { en } from "./en";
import { fr, type MessageKey } from "./fr";

export type { MessageKey };
export type Locale = "fr" | "en";
export const LOCALES: readonly Locale[] = ["fr", "en"];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { fr, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const pluralRules: Record<Locale, Intl.PluralRules> = { fr: new Intl.PluralRules("fr-FR"), en: new Intl.PluralRules("en-GB") };

/**
 * The form of a word for a count, by the language's plural rules (`Intl.PluralRules`): in French
 * 0 and 1 are singular ("0 facture", "1 facture", "3 factures"), in English only 1 is. Never
 * "facture(s)": a test refuses "(s)" in every message.
 */
export function plural(locale: Locale, count: number, forms: { one: string; other: string }): string {
  return pluralRules[locale].select(count) === "one" ? forms.one : forms.other;
}

// `{count, plural, one {# facture en retard} other {# factures en retard}}`: the ICU plural
// syntax, restricted to plain text forms; `#` is the count. An exact `=0 {…}` form wins.
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const FORM = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

function plurals(locale: Locale, text: string, params: Record<string, string | number>): string {
  return text.replace(PLURAL, (m, name: string, body: string) => {
    const n = Number(params[name]);
    if (!Number.isFinite(n)) return m;
    const forms = new Map([...body.matchAll(FORM)].map((f) => [f[1]!, f[2]!] as const));
    const form = forms.get(`=${n}`) ?? forms.get(pluralRules[locale].select(n)) ?? forms.get("other") ?? m;
    return form.replace(/#/g, String(n));
  });
}

/**
 * Returns the translator for a locale; `{name}` placeholders are filled from params, and
 * `{name, plural, one {…} other {…}}` picks the form for the count (see {@link plural}).
 */
export function translator(locale: Locale): Translate {
  const dict = dictionaries[locale];
  return (key, params) => {
    const text = dict[key];
    return params ? plurals(locale, text, params).replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
  };
}

export function isMessageKey(key: string): key is MessageKey {
  return key in fr;
}
