import type { ComponentChildren } from "preact";
import type { FieldErrors } from "../http/errors";
import type { PageContext } from "./page-context";

export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken} />;
}

interface FieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "tel" | "number" | "url" | "date";
  value?: string | null;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputMode?: "text" | "numeric" | "decimal" | "email" | "tel";
  maxLength?: number;
  pattern?: string;
  optionalLabel?: string;
}

/** A labelled input whose hint and error are tied to it (aria-describedby, aria-invalid). */
export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const error = p.errors?.[p.name];
  const describedBy = [p.hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>
        {p.label}
        {p.optionalLabel ? <span class="optional"> ({p.optionalLabel})</span> : null}
      </label>
      <input
        id={id}
        name={p.name}
        // Preact types each input type separately; one generic field spans the text-like ones.
        type={(p.type ?? "text") as "text"}
        value={p.type === "password" ? undefined : (p.value ?? undefined)}
        required={p.required}
        autocomplete={p.autocomplete}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        pattern={p.pattern}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface SelectProps {
  name: string;
  label: string;
  value?: string | null;
  options: Array<{ value: string; label: string }>;
  errors?: FieldErrors;
  hint?: string;
}

export function SelectField(p: SelectProps) {
  const id = `f-${p.name}`;
  const error = p.errors?.[p.name];
  const describedBy = [p.hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} aria-invalid={error ? "true" : undefined} aria-describedby={describedBy || undefined}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A multi-line text field with its label, hint and error tied to it, like {@link Field}. */
/** `lang`: the language of the text inside when it is not the page's (an email to a French client on an English page). */
export function TextArea(p: { name: string; label: string; value?: string | undefined; errors?: FieldErrors | undefined; hint?: string; maxLength: number; rows?: number; lang?: string }) {
  const id = `f-${p.name}`;
  const error = p.errors?.[p.name];
  const describedBy = [p.hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{p.label}</label>
      <textarea id={id} name={p.name} rows={p.rows ?? 4} maxLength={p.maxLength} lang={p.lang} aria-invalid={error ? "true" : undefined} aria-describedby={describedBy || undefined}>
        {p.value ?? ""}
      </textarea>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function CheckboxField(p: { name: string; label: string; checked: boolean; hint?: string }) {
  const id = `f-${p.name}`;
  return (
    <div class="field field-checkbox">
      <input type="checkbox" id={id} name={p.name} value="on" checked={p.checked} aria-describedby={p.hint ? `${id}-hint` : undefined} />
      <label for={id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
    </div>
  );
}

/** Summary at the top of a form with errors; focusable so screen readers announce it. */
export function FormErrorSummary({ ctx, errors }: { ctx: PageContext; errors?: FieldErrors }) {
  if (!errors || Object.keys(errors).length === 0) return null;
  const general = errors._form;
  return (
    <div class="form-errors" role="alert" tabIndex={-1}>
      <p>{general ?? ctx.t("form.errors")}</p>
    </div>
  );
}

export function Fieldset({ legend, children }: { legend: string; children: ComponentChildren }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}
