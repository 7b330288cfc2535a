import { en } from "./en";
import { fr, type MessageKey } from "./fr";

export type { MessageKey };
export type Locale = "fr" | "en";
export const LOCALES: readonly Locale[] = ["fr", "en"];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { fr, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Returns the translator for a locale; `{name}` placeholders are filled from params. */
export function translator(locale: Locale): Translate {
  const dict = dictionaries[locale];
  return (key, params) => {
    const text = dict[key];
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
  };
}

export function isMessageKey(key: string): key is MessageKey {
  return key in fr;
}
