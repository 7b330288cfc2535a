import { useEffect, useState } from "preact/hooks";

export interface CopyTextProps {
  /** The text shown (read-only, selectable) and copied. */
  text: string;
  /** Accessible name of the field. */
  fieldLabel: string;
  labels: { copy: string; copied: string; failed: string };
  /** Several lines (recovery codes): a read-only text area of this many rows instead of a field. */
  rows?: number;
}

/**
 * A read-only field with a "Copier" button: without JavaScript the field alone (select and copy by
 * hand); once hydrated, the button writes the text to the clipboard and says so.
 */
export function CopyText({ text, fieldLabel, labels, rows }: CopyTextProps) {
  const [ready, setReady] = useState(false);
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => setReady(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <div class="copy-text">
      {rows ? (
        <textarea readOnly rows={rows} value={text} aria-label={fieldLabel} onFocus={(e) => e.currentTarget.select()} />
      ) : (
        <input type="text" readOnly value={text} aria-label={fieldLabel} onFocus={(e) => e.currentTarget.select()} />
      )}
      {ready ? (
        <button type="button" class="button" onClick={copy}>
          {state === "copied" ? labels.copied : labels.copy}
        </button>
      ) : null}
      <span class="visually-hidden" role="status" aria-live="polite">
        {state === "copied" ? labels.copied : state === "failed" ? labels.failed : ""}
      </span>
    </div>
  );
}
