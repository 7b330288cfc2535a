import { useEffect, useRef, useState } from "preact/hooks";

/** What a search endpoint answers with: at least an id and a name per row. */
export interface ComboItem {
  id: string;
  name: string;
}

export interface ComboboxLabels {
  /** The no-JS button that submits the typed text to the server ("Rechercher"). */
  search: string;
  loading: string;
  none: string;
  one: string;
  /** "{n} résultats". */
  many: string;
  /** "More than {n} results: type more letters." */
  more: string;
  error: string;
  /** How to use the field: type the start of the name, then ↑ ↓ and Entrée. */
  hint: string;
}

export interface ComboboxProps<T extends ComboItem = ComboItem> {
  /** Id of the text input; the listbox, options and messages derive theirs from it. */
  id: string;
  label: string;
  /** Visually hidden label (still read by screen readers). */
  hideLabel?: boolean;
  placeholder?: string;
  /** JSON endpoint answering `?q=<prefix>` with `{ items: T[], nextCursor: string | null }`. */
  endpoint: string;
  /** Name of the hidden input that carries the chosen id, as a `<select>` of that name would. */
  name?: string;
  /** Name of the text input itself, read by the server after a no-JS search. */
  queryName?: string;
  /** Without JS: value of the `_pick` submit button next to the input; none when absent. */
  searchValue?: string;
  selected: ComboItem | null;
  error?: string;
  labels: ComboboxLabels;
  /** Text of an option; the name by default. */
  format?: (item: T) => string;
  onSelect?: (item: T) => void;
  /** Empty the input after a choice: a picker that adds, rather than a field that holds. */
  clearOnSelect?: boolean;
  debounceMs?: number;
}

type Status = "idle" | "loading" | "done" | "error";

/** The results sentence announced to screen readers (and shown under the list). */
export function resultsMessage(labels: ComboboxLabels, count: number, more: boolean): string {
  if (count === 0) return labels.none;
  if (more) return labels.more.replace("{n}", String(count));
  return count === 1 ? labels.one : labels.many.replace("{n}", String(count));
}

/**
 * A searchable picker (WAI-ARIA 1.2 combobox with a listbox popup, list autocomplete): typing
 * searches the endpoint by name prefix (debounced, the previous request aborted), ↑ ↓ move through
 * the results, Entrée chooses, Échap closes then restores the chosen name. The chosen id travels in
 * the hidden input `name`, so the form posts what a `<select>` would. Server-rendered with the
 * current choice; without JS, the `_pick` button lets the server search instead.
 */
export function Combobox<T extends ComboItem>(p: ComboboxProps<T>) {
  const { id, labels: L } = p;
  const listId = `${id}-list`;
  const statusId = `${id}-status`;
  const format = p.format ?? ((x: T) => x.name);
  const [live, setLive] = useState(false);
  const [chosen, setChosen] = useState<ComboItem | null>(p.selected);
  const [text, setText] = useState(p.clearOnSelect ? "" : (p.selected?.name ?? ""));
  const [items, setItems] = useState<T[]>([]);
  const [more, setMore] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState<Status>("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const request = useRef<AbortController | null>(null);

  useEffect(() => {
    setLive(true);
    return () => {
      clearTimeout(timer.current);
      request.current?.abort();
    };
  }, []);

  useEffect(() => {
    if (active >= 0) document.getElementById(`${id}-opt-${active}`)?.scrollIntoView({ block: "nearest" });
  }, [active, id]);

  const stop = () => {
    clearTimeout(timer.current);
    request.current?.abort();
    request.current = null;
  };

  const run = async (q: string) => {
    stop();
    const controller = new AbortController();
    request.current = controller;
    setStatus("loading");
    try {
      const res = await fetch(`${p.endpoint}?q=${encodeURIComponent(q)}`, { signal: controller.signal, headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) throw new Error(`search answered ${res.status}`);
      const body = (await res.json()) as { items: T[]; nextCursor: string | null };
      if (controller.signal.aborted) return;
      setItems(body.items);
      setMore(body.nextCursor !== null);
      setActive(-1);
      setStatus("done");
      setOpen(true);
    } catch {
      // An aborted request was replaced by a newer one: its outcome no longer matters.
      if (controller.signal.aborted) return;
      setItems([]);
      setStatus("error");
      setOpen(true);
    }
  };

  const later = (q: string) => {
    stop();
    timer.current = setTimeout(() => void run(q), p.debounceMs ?? 200);
  };

  const close = () => {
    setOpen(false);
    setActive(-1);
  };

  const choose = (item: T) => {
    stop();
    setChosen(p.clearOnSelect ? null : { id: item.id, name: item.name });
    setText(p.clearOnSelect ? "" : item.name);
    close();
    p.onSelect?.(item);
  };

  const onInput = (value: string) => {
    setText(value);
    const q = value.trim();
    if (q) return later(q);
    // An emptied field is no choice at all, as the select's "Choisissez…" would be.
    stop();
    if (!p.clearOnSelect) setChosen(null);
    setStatus("idle");
    close();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) {
        // Alt+↓ or ↓ on a closed list opens it: the known results, else the first names.
        if (items.length > 0 && status === "done") setOpen(true);
        else void run(text.trim());
        return;
      }
      if (items.length === 0) return;
      const last = items.length - 1;
      setActive((a) => (e.key === "ArrowDown" ? (a >= last ? 0 : a + 1) : a <= 0 ? last : a - 1));
    } else if (e.key === "Enter") {
      if (!open) return;
      // An open list owns Entrée: it chooses, and never submits the form.
      e.preventDefault();
      const item = items[active];
      if (item) choose(item);
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        stop();
        close();
      } else if (text !== (chosen?.name ?? "")) {
        e.preventDefault();
        setText(chosen?.name ?? "");
      }
    }
  };

  const onBlur = () => {
    stop();
    close();
    // What is shown is what is chosen: a half-typed search does not linger.
    setText(chosen?.name ?? "");
    if (status === "loading") setStatus("idle");
  };

  const message = status === "loading" ? L.loading : status === "error" ? L.error : status === "done" && open ? resultsMessage(L, items.length, more) : "";
  const describedBy = [`${id}-hint`, p.error ? `${id}-error` : null].filter(Boolean).join(" ");
  const expanded = open && items.length > 0;

  return (
    <div class={`field cb${p.error ? " has-error" : ""}`}>
      <label for={id} class={p.hideLabel ? "visually-hidden" : undefined}>
        {p.label}
      </label>
      {p.name ? <input type="hidden" name={p.name} value={chosen?.id ?? ""} /> : null}
      <div class="cb-control">
        <input
          id={id}
          type="text"
          name={p.queryName}
          value={text}
          role="combobox"
          autocomplete="off"
          spellcheck={false}
          placeholder={p.placeholder}
          readOnly={!live && !p.searchValue}
          aria-autocomplete="list"
          aria-expanded={expanded ? "true" : "false"}
          aria-controls={listId}
          aria-activedescendant={expanded && active >= 0 ? `${id}-opt-${active}` : undefined}
          aria-invalid={p.error ? "true" : undefined}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onBlur={onBlur}
        />
        {!live && p.searchValue ? (
          <button type="submit" name="_pick" value={p.searchValue} formNoValidate class="button">
            {L.search}
          </button>
        ) : null}
        <ul id={listId} role="listbox" aria-label={p.label} class="cb-list" hidden={!expanded}>
          {items.map((item, i) => (
            <li
              id={`${id}-opt-${i}`}
              key={item.id}
              role="option"
              aria-selected={i === active ? "true" : "false"}
              class={i === active ? "cb-option cb-active" : "cb-option"}
              // Keep the focus in the input, so the blur does not close the list before the click lands.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(item)}
            >
              {format(item)}
            </li>
          ))}
        </ul>
      </div>
      <p class="hint" id={`${id}-hint`}>
        {L.hint}
      </p>
      <p class="cb-status" id={statusId} role="status">
        {message}
      </p>
      {p.error ? (
        <p class="error" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
    </div>
  );
}
