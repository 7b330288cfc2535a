import { useState } from "preact/hooks";

export interface CookieBannerProps {
  action: string;
  csrfToken: string;
  /** Where the no-JS form comes back to after the choice. */
  next: string;
  policyHref: string;
  labels: {
    region: string;
    title: string;
    text: string;
    more: string;
    acceptAll: string;
    refuseAll: string;
    customize: string;
    save: string;
    close: string;
    alwaysOn: string;
  };
  categories: Array<{ id: string; label: string; purpose: string; optional: boolean }>;
}

/**
 * The cookie banner (privacy policy §10, CNIL). Server-rendered as a plain form, so it works without
 * JavaScript: each button posts its action to /cookies, and "Personnaliser" leads to the full
 * preferences page. Hydrated, it posts the same form in the background and "Personnaliser" opens the
 * categories in place. The three choices are the same element with the same class: equally prominent.
 */
export function CookieBanner({ action, csrfToken, next, policyHref, labels, categories }: CookieBannerProps) {
  const [customizing, setCustomizing] = useState(false);
  const [done, setDone] = useState(false);
  if (done) return null;

  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const submitter = e.submitter instanceof HTMLButtonElement ? e.submitter : null;
    if (submitter?.value === "customize") {
      setCustomizing((open) => !open);
      return;
    }
    const body = new FormData(form, submitter);
    try {
      // Not form.action: the buttons named "action" shadow that property.
      const res = await fetch(action, { method: "POST", body, headers: { accept: "application/json" }, credentials: "same-origin" });
      if (res.ok) return setDone(true);
    } catch {
      // Offline or refused: the preferences page below does the same without JavaScript.
    }
    window.location.assign(`${action}?next=${encodeURIComponent(next)}`);
  };

  return (
    <section class="cookie-banner" role="region" aria-label={labels.region} aria-labelledby="cookie-banner-title">
      <form method="post" action={action} onSubmit={onSubmit}>
        <input type="hidden" name="_csrf" value={csrfToken} />
        <input type="hidden" name="next" value={next} />
        <div class="cookie-banner-head">
          <h2 id="cookie-banner-title">{labels.title}</h2>
          <button type="submit" name="action" value="closed" class="cookie-banner-close" aria-label={labels.close} title={labels.close}>
            ×
          </button>
        </div>
        <p>
          {labels.text} <a href={policyHref}>{labels.more}</a>
        </p>
        {customizing ? (
          <fieldset class="cookie-categories">
            {categories.map((c) => (
              <div class="cookie-category" key={c.id}>
                <label>
                  {c.optional ? <input type="checkbox" name={c.id} value="on" /> : <input type="checkbox" checked disabled />}{" "}
                  <strong>{c.label}</strong>
                  {c.optional ? null : <span class="muted"> ({labels.alwaysOn})</span>}
                </label>
                <p class="hint">{c.purpose}</p>
              </div>
            ))}
            <button type="submit" name="action" value="custom" class="button">
              {labels.save}
            </button>
          </fieldset>
        ) : null}
        <div class="consent-actions">
          <button type="submit" name="action" value="accept_all" class="button consent-choice">
            {labels.acceptAll}
          </button>
          <button type="submit" name="action" value="refuse_all" class="button consent-choice">
            {labels.refuseAll}
          </button>
          <button type="submit" name="action" value="customize" class="button consent-choice" aria-expanded={customizing}>
            {labels.customize}
          </button>
        </div>
      </form>
    </section>
  );
}
