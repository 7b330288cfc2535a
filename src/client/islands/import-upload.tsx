import { useRef, useState } from "preact/hooks";

export interface ImportUploadProps {
  /** The plain form's route (multipart, capped): what runs without JavaScript. */
  action: string;
  /** The upload API: POST {size}; PUT …/:id/parts/:part; POST …/:id/complete; DELETE …/:id. */
  api: string;
  /** Where to go once the import is started (the jobs list, which follows its progress). */
  done: string;
  csrfToken: string;
  locale: "fr" | "en";
  /** The server's message about the archive after a refused form post, if any. */
  error: string | null;
  labels: {
    file: string;
    hint: string;
    submit: string;
    progress: string;
    preparing: string;
    /** "{percent} % envoyé ({done} sur {total} Mo)." */
    sent: string;
    completing: string;
    /** "L'envoi a échoué : {message}" */
    failed: string;
  };
}

type Phase = "idle" | "sending" | "completing" | "failed";

const fill = (text: string, params: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);

class UploadError extends Error {}

/** The API's French/English sentence for a refusal (the field's message first). */
async function refusal(res: Response): Promise<UploadError> {
  try {
    const body = (await res.json()) as { error?: { message?: string; fields?: Record<string, string> } };
    const fields = Object.values(body.error?.fields ?? {});
    return new UploadError(fields[0] ?? body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return new UploadError(`HTTP ${res.status}`);
  }
}

/** PUTs one part; reports bytes sent as they go (XHR: fetch has no upload progress). */
function putPart(url: string, body: Blob, csrfToken: string, onProgress: (sent: number) => void): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("x-csrf-token", csrfToken);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status, headers: { "content-type": "application/json" } }));
    xhr.onerror = () => reject(new TypeError("network"));
    xhr.send(body);
  });
}

/**
 * The import form. Without JavaScript it posts the archive whole (32 MB cap); with it, the archive
 * is sent in parts to the upload API, each part streamed into R2 by the Worker, so there is no cap:
 * a <progress> shows the bytes sent, a live region says where it is, then the jobs list follows
 * the import itself.
 */
export function ImportUpload({ action, api, done, csrfToken, locale, error, labels }: ImportUploadProps) {
  const input = useRef<HTMLInputElement>(null);
  const [phase, setPhase] = useState<Phase>("idle");
  const [sent, setSent] = useState(0);
  const [size, setSize] = useState(0);
  const [message, setMessage] = useState<string | null>(error);
  const mb = new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  const json = { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrfToken };

  async function upload(file: File) {
    // Leaving the page (a closed tab, or the jobs list's own Refresh while an export runs) would
    // drop the upload: the browser asks first.
    const guard = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", guard);
    setPhase("sending");
    setSize(file.size);
    setSent(0);
    setMessage(null);
    let id: string | null = null;
    try {
      const created = await fetch(api, { method: "POST", headers: json, credentials: "same-origin", body: JSON.stringify({ size: file.size }) });
      if (!created.ok) throw await refusal(created);
      const plan = ((await created.json()) as { import: { id: string; partSize: number; parts: number } }).import;
      id = plan.id;
      for (let n = 1; n <= plan.parts; n++) {
        const start = (n - 1) * plan.partSize;
        const part = file.slice(start, Math.min(start + plan.partSize, file.size));
        let res: Response | null = null;
        // A dropped connection or a 5xx is retried (the part is replaced); a refusal is final.
        for (let attempt = 0; attempt < 3 && (!res || res.status >= 500); attempt++) {
          try {
            res = await putPart(`${api}/${id}/parts/${n}`, part, csrfToken, (loaded) => setSent(start + loaded));
          } catch (err) {
            if (attempt === 2) throw err;
          }
        }
        if (!res?.ok) throw res ? await refusal(res) : new UploadError("network");
        setSent(start + part.size);
      }
      setPhase("completing");
      const completed = await fetch(`${api}/${id}/complete`, { method: "POST", headers: json, credentials: "same-origin", body: "{}" });
      if (!completed.ok) throw await refusal(completed);
      window.removeEventListener("beforeunload", guard);
      window.location.assign(done);
    } catch (err) {
      if (id) void fetch(`${api}/${id}`, { method: "DELETE", headers: json, credentials: "same-origin" }).catch(() => undefined);
      window.removeEventListener("beforeunload", guard);
      setPhase("failed");
      setMessage(fill(labels.failed, { message: err instanceof UploadError ? err.message : String(err instanceof Error ? err.message : err) }));
    }
  }

  const busy = phase === "sending" || phase === "completing";
  const status =
    phase === "sending"
      ? sent === 0
        ? labels.preparing
        : fill(labels.sent, { percent: String(Math.floor((sent / Math.max(size, 1)) * 100)), done: mb.format(sent / 1048576), total: mb.format(size / 1048576) })
      : phase === "completing"
        ? labels.completing
        : "";
  const describedBy = ["f-archive-hint", message ? "f-archive-error" : null].filter(Boolean).join(" ");

  return (
    <form
      method="post"
      action={action}
      enctype="multipart/form-data"
      novalidate
      class="import-upload"
      onSubmit={(e) => {
        const file = input.current?.files?.[0];
        // No file chosen: the form posts as without JavaScript and the server says what is missing.
        if (!file || busy) {
          if (busy) e.preventDefault();
          return;
        }
        e.preventDefault();
        void upload(file);
      }}
    >
      <input type="hidden" name="_csrf" value={csrfToken} />
      <div class={`field${message ? " has-error" : ""}`}>
        <label for="f-archive">{labels.file}</label>
        <input
          ref={input}
          id="f-archive"
          name="archive"
          type="file"
          accept=".zip,application/zip"
          required
          disabled={busy}
          aria-invalid={message ? "true" : undefined}
          aria-describedby={describedBy}
        />
        <p class="hint" id="f-archive-hint">
          {labels.hint}
        </p>
        {message ? (
          <p class="error" id="f-archive-error" role="alert">
            {message}
          </p>
        ) : null}
      </div>
      {busy ? (
        <div class="import-upload-progress">
          <label for="f-archive-progress">{labels.progress}</label>
          <progress id="f-archive-progress" class="progress" max={Math.max(size, 1)} value={phase === "completing" ? size : sent} />
        </div>
      ) : null}
      <p class="hint" id="f-archive-status" role="status" aria-live="polite">
        {status}
      </p>
      <button type="submit" class="button" disabled={busy} aria-disabled={busy ? "true" : undefined}>
        {labels.submit}
      </button>
    </form>
  );
}
